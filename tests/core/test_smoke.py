def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_admin_signs_in_and_sees_staff_navigation(client, auth, world):
    response = auth.login(world.a.admin.email)
    assert response.status_code == 302
    page = client.get("/centre").get_data(as_text=True)
    assert "Centre settings" in page
    assert "Centre ALPHA" in page
