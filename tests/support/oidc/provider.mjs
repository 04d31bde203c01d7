// A real OpenID Connect provider for the test suite: the npm package oidc-provider (OpenID
// Certified), on a loopback port, with the clients, users and signing key the tests give it.
//
//   OIDC_TEST_CONFIG='{"jwks": {...}, "clients": [...], "users": {...}}' node provider.mjs
//
// prints {"issuer": "http://127.0.0.1:<port>"} on its first line once it listens, and stops when
// its standard input closes (so it never outlives the test run) or on SIGTERM.
//
// - jwks: the provider's signing key (a private RSA JWK with its kid). The test holds it so it
//   can forge tokens the provider "would" sign (expired, for another audience) and check that
//   Delivery Hub refuses them; tokens the provider issues itself are signed with it too.
// - clients: confidential clients (client_secret_post), authorisation code flow with PKCE.
// - users: login name -> claims. The ID token carries them (groups included), as Entra ID's does.
//
// The sign-in page is a plain form of its own (no external fonts or scripts): enter a login name.
// Consent is given on the client's behalf (as a tenant admin does for an Entra ID app).
//
// Test hooks (loopback only, for the tests that drive it):
//   PUT  /test/users/<login>   body: claims JSON  -> replaces that user's claims
//   POST /test/next-id-token   body: {"id_token": "..."} -> the next token response carries it
//        instead of the one the provider issued (a forged or tampered token, for refusal tests)
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const users = new Map(Object.entries(config.users || {}));
let nextIdToken = null;

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signInPage(uid, clientId) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body><main>
<h1>Test identity provider</h1>
<p>Sign in to ${escapeHtml(clientId)}.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="login">Username</label>
<input id="login" name="login" type="text" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>
</main></body></html>`;
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: config.clients || [],
    jwks: config.jwks,
    cookies: { keys: ['delivery-hub-test-provider-cookie-key'] },
    claims: {
      openid: ['sub', 'groups', 'oid'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    conformIdTokenClaims: false, // the ID token carries the claims, as Entra ID's does
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const claims = users.get(id) || { email: `${id}@example.test`, name: id, groups: [] };
      return { accountId: id, async claims() { return { ...claims, sub: id }; } };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description || '')}</p></body></html>`;
    },
  });

  provider.use(async (ctx, next) => {
    const { path, method } = ctx;
    if (path.startsWith('/test/users/') && method === 'PUT') {
      users.set(decodeURIComponent(path.slice('/test/users/'.length)), await readJson(ctx.req));
      ctx.status = 204;
      return;
    }
    if (path === '/test/next-id-token' && method === 'POST') {
      nextIdToken = (await readJson(ctx.req)).id_token;
      ctx.status = 204;
      return;
    }
    const interaction = path.match(/^\/interaction\/([^/]+)$/);
    if (interaction) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (method === 'GET') {
        ctx.type = 'html';
        ctx.body = signInPage(details.uid, details.params.client_id);
        return;
      }
      if (method === 'POST') {
        const login = (await readForm(ctx.req)).get('login') || '';
        const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
          login: { accountId: login.trim() },
        }, { mergeWithLastSubmission: false });
        ctx.status = 303;
        ctx.redirect(redirectTo);
        return;
      }
    }
    await next();
    if (path === '/token' && nextIdToken && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: nextIdToken };
      nextIdToken = null;
    }
  });

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
