import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { findNatsServer } from '../../apps/cluster/hub/nats-server.ts';
import { hubConf } from '../../apps/cluster/hub/config.ts';
import { connectNow } from '../../apps/cluster/nats/connect.ts';
import { natsLib, type NatsLib } from '../../apps/cluster/nats/lib.ts';
import type { ClusterConfig } from '../../apps/core/src/config/index.ts';
import { isCmuxError } from '../../apps/core/src/errors/index.ts';
import { ROOT, freePort } from '../helpers/instance.ts';
import { natsServer, startTestHub, TEST_CLUSTER, type TestHub } from '../helpers/nats.ts';
import { eventually } from '../helpers/tmux.ts';

const member = (nats: Partial<ClusterConfig['nats']>): ClusterConfig => ({
  host: 'b',
  name: TEST_CLUSTER,
  heartbeatMs: 2000,
  unreachableMs: 6000,
  maxInFlight: 4096,
  nats: { url: 'nats://127.0.0.1:4222', user: null, password: null, token: null, credsFile: null, tls: { ca: null, cert: null, key: null }, privateNetwork: false, ...nats },
  hub: null,
});

// Connects as a member does at `cmux start` (connectNow: the member's own options and errors)
// and makes one round trip; what it was refused with otherwise.
async function joins(cluster: ClusterConfig): Promise<true | Error> {
  try {
    const { nc } = await connectNow(cluster, 'test');
    try {
      await nc.flush();
      return true;
    } finally {
      await nc.close();
    }
  } catch (error) {
    return error as Error;
  }
}

const refusedWith = (got: true | Error, code: Parameters<typeof isCmuxError>[1], message: RegExp) => {
  assert.ok(got !== true, 'joined');
  assert.ok(isCmuxError(got, code), `${code} expected, got ${String((got as Error & { code?: string }).code)}: ${got.message}`);
  assert.match(got.message, message);
};

// A JWT as nsc writes them: ed25519-nkey, signed by `issuer` (docs.nats.io, JWT).
type KeyPair = ReturnType<NatsLib['transport']['nkeys']['createOperator']>;
function jwt(issuer: KeyPair, sub: string, nats: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const claims = { iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), name: sub.slice(0, 8), sub, nats: { ...nats, version: 2 } };
  const body = { jti: createHash('sha256').update(JSON.stringify(claims)).digest('base64url'), ...claims };
  const signing = `${b64({ typ: 'JWT', alg: 'ed25519-nkey' })}.${b64(body)}`;
  return `${signing}.${Buffer.from(issuer.sign(new TextEncoder().encode(signing))).toString('base64url')}`;
}

const UNLIMITED = { subs: -1, data: -1, payload: -1 };

// How a member authenticates to a real nats-server: the hub's generated configuration served
// over TLS with a CA made here, and hand-written servers for a token, an NKey and a JWT .creds
// file; docs/CLUSTER.md's leaf-node configurations are checked with `nats-server -t`.
describe('cluster authentication against nats-server', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxt-nats-auth-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  let lib: NatsLib;
  let tlsHub: TestHub;
  const servers: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = [];
  // A hand-written nats-server configuration run on a free port.
  const serve = async (body: (port: number) => string) => {
    const port = await freePort();
    const server = natsServer(findNatsServer(null), file(`${port}.conf`, `listen: "127.0.0.1:${port}"\n${body(port)}\n`), port);
    servers.push(server);
    await server.launch();
    return `nats://127.0.0.1:${port}`;
  };

  before(async () => {
    lib = await natsLib();
    // A CA of the test's own, and the hub's certificate for 127.0.0.1 signed by it.
    const openssl = (...args: string[]) => execa('openssl', args, { cwd: dir, timeout: 30_000 });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=cmux test CA');
    await openssl('req', ...ec, '-keyout', 'hub.key', '-out', 'hub.csr', '-subj', '/CN=127.0.0.1');
    file('san.ext', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await openssl('x509', '-req', '-in', 'hub.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'hub.pem', '-days', '1', '-extfile', 'san.ext');
    tlsHub = await startTestHub(['b'], { tls: { cert: join(dir, 'hub.pem'), key: join(dir, 'hub.key'), ca: join(dir, 'ca.pem') } });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.kill('SIGKILL')));
    await tlsHub?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("joins the hub's generated configuration over TLS with the CA that signed it, user and password", async () => {
    const url = tlsHub.url;
    assert.match(url, /^tls:\/\//);
    const ca = join(dir, 'ca.pem');
    assert.equal(await joins(member({ url, user: 'b', password: tlsHub.password('b'), tls: { ca, cert: null, key: null } })), true);
    refusedWith(await joins(member({ url, user: 'b', password: 'not-the-password', tls: { ca, cert: null, key: null } })), 'CMUX_ERR_CLUSTER_AUTH', /refused the credentials of host b/);
    // A certificate no CA of this host vouches for is refused, saying which setting helps.
    refusedWith(await joins(member({ url, user: 'b', password: tlsHub.password('b') })), 'CMUX_ERR_CLUSTER_UNAVAILABLE', /cluster\.nats\.tls\.ca/);
    // Plain nats:// to a hub that requires TLS: the client upgrades (the server asks for TLS)
    // and still checks the certificate.
    refusedWith(await joins(member({ url: url.replace('tls://', 'nats://'), user: 'b', password: tlsHub.password('b') })), 'CMUX_ERR_CLUSTER_UNAVAILABLE', /certificate|tls/i);
  });

  it('joins with a token, and is refused with a wrong one without echoing it', async () => {
    const url = await serve(() => 'authorization { token: "a-long-token-0123456789" }');
    assert.equal(await joins(member({ url, token: 'a-long-token-0123456789' })), true);
    const refused = await joins(member({ url, token: 'a-wrong-token-0123456789' }));
    refusedWith(refused, 'CMUX_ERR_CLUSTER_AUTH', /refused the credentials/);
    assert.doesNotMatch((refused as Error).message, /a-wrong-token/);
  });

  it('joins with an NKey seed file, and says what is wrong with a bad or missing one', async () => {
    const { nkeys } = lib.transport;
    const user = nkeys.createUser();
    const url = await serve(() => `authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }`);
    const seed = file('b.nk', `${new TextDecoder().decode(user.getSeed())}\n`);
    assert.equal(await joins(member({ url, credsFile: seed })), true);
    const stranger = file('stranger.nk', new TextDecoder().decode(nkeys.createUser().getSeed()));
    refusedWith(await joins(member({ url, credsFile: stranger })), 'CMUX_ERR_CLUSTER_AUTH', /refused the credentials/);
    refusedWith(await joins(member({ url, credsFile: file('junk.nk', 'not a key\n') })), 'CMUX_ERR_CONFIG_INVALID', /neither a \.creds file .* nor an NKey user seed/);
    refusedWith(await joins(member({ url, credsFile: join(dir, 'missing.creds') })), 'CMUX_ERR_CONFIG_INVALID', /cannot read cluster\.nats\.credsFile .*ENOENT/);
  });

  it('joins a hub in operator mode with a JWT .creds file', async () => {
    const { nkeys } = lib.transport;
    const operator = nkeys.createOperator();
    const account = nkeys.createAccount();
    const user = nkeys.createUser();
    const operatorJwt = jwt(operator, operator.getPublicKey(), { type: 'operator' });
    const accountJwt = jwt(operator, account.getPublicKey(), {
      type: 'account',
      limits: { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
      default_permissions: { pub: {}, sub: {} },
    });
    const url = await serve(() => `operator: "${operatorJwt}"\nresolver: MEMORY\nresolver_preload: { ${account.getPublicKey()}: "${accountJwt}" }`);
    const creds = (signer: KeyPair, u: KeyPair) =>
      `-----BEGIN NATS USER JWT-----\n${jwt(signer, u.getPublicKey(), { type: 'user', pub: {}, sub: {}, ...UNLIMITED })}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${new TextDecoder().decode(u.getSeed())}\n------END USER NKEY SEED------\n`;
    assert.equal(await joins(member({ url, credsFile: file('b.creds', creds(account, user)) })), true);
    // A user signed by an account the hub does not know.
    refusedWith(await joins(member({ url, credsFile: file('other.creds', creds(nkeys.createAccount(), user)) })), 'CMUX_ERR_CLUSTER_AUTH', /refused the credentials/);
  });

  it("takes a leaf node only with the hub's leaf password, and accepts docs/CLUSTER.md's site configuration (nats-server -t)", async () => {
    const [hubPort, leafPort] = [await freePort(), await freePort()];
    const hubServer = natsServer(
      findNatsServer(null),
      file(
        'hub-leaf.conf',
        hubConf({
          listen: `127.0.0.1:${hubPort}`,
          storeDir: join(dir, 'store'),
          maxPayloadBytes: 8 * 1024 * 1024,
          leafListen: `127.0.0.1:${leafPort}`,
          leafPassword: 'leaf-password-0123456789',
          tls: { cert: null, key: null },
          admin: { user: 'admin', password: 'admin-password' },
          hosts: [{ host: 'b', password: 'b-password' }],
          cluster: TEST_CLUSTER,
        }),
      ),
      hubPort,
    );
    servers.push(hubServer);
    await hubServer.launch();
    const site = (credentials: string) => serve(() => `leafnodes { remotes: [ { url: "nats-leaf://${credentials}127.0.0.1:${leafPort}" } ] }`);
    const [trusted, stranger, member] = [await site('leaf:leaf-password-0123456789@'), await site(''), await site('b:b-password@')];
    const admin = await lib.transport.connect({ servers: `nats://127.0.0.1:${hubPort}`, user: 'admin', pass: 'admin-password' });
    const heard = new Set<string>();
    admin.subscribe('probe.>', {
      callback: (_e, m) => {
        heard.add(m.subject);
      },
    });
    await admin.flush();
    const clients = await Promise.all([trusted, stranger, member].map((servers) => lib.transport.connect({ servers })));
    try {
      // A leaf link takes a moment to come up: the trusted site is heard once it is.
      await eventually(async () => {
        clients[0]!.publish('probe.trusted');
        await clients[0]!.flush();
        return heard.has('probe.trusted');
      }, Boolean, 20_000);
      // A site with no credentials, or a host's own (its permissions would not hold through a
      // leaf link), never links: what its clients publish never reaches the hub.
      for (let i = 0; i < 10; i++) {
        clients[1]!.publish('probe.stranger');
        clients[2]!.publish('probe.member');
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual([...heard].sort(), ['probe.trusted']);
    } finally {
      await Promise.all([admin, ...clients].map((c) => c.close()));
    }
    const docs = readFileSync(join(ROOT, 'docs', 'CLUSTER.md'), 'utf8');
    const blocks = [...docs.matchAll(/```conf\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.ok(blocks.length >= 1, "docs/CLUSTER.md shows a site's leaf-node configuration");
    for (const [i, block] of blocks.entries()) {
      const text = block.replaceAll('/etc/cmux-site/ca.pem', join(dir, 'ca.pem'));
      const tested = await execa(findNatsServer(null), ['-t', '-c', file(`docs-${i}.conf`, text)], { reject: false, timeout: 30_000 });
      assert.equal(tested.exitCode, 0, `docs/CLUSTER.md block ${i}:\n${text}\n${tested.stderr}${tested.stdout}`);
    }
  });
});
