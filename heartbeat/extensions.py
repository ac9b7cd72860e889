"""Unbound extensions, bound to an app in ``create_app``."""

from typing import TYPE_CHECKING, ClassVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from heartbeat.db import Base

db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskSQLAlchemyModel
    from sqlalchemy import Table

    class Model(_FlaskSQLAlchemyModel, Base):
        """What ``db.Model`` is made of: a type checker cannot take a variable as a base class."""

        # Every model maps one table (SQLAlchemy allows any FROM clause), so Core statements
        # can take ``Model.__table__``.
        __table__: ClassVar[Table]

else:
    # The base class of every model (Flask-SQLAlchemy's mixins on our declarative Base).
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
