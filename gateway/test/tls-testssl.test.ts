// An external scanner on the TLS listener: Debian's testssl.sh finds nothing of severity HIGH or CRITICAL, and
// SSLv3, TLS 1.0 and TLS 1.1 are not offered. Runs once per suite (a scan takes a minute or two). The test
// certificate is made to look like a CA-issued one, so the findings are about the listener, not the certificate:
// its CA is added (trusted chain), it is valid long enough not to be "expiring", and it names revocation URLs.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startBackend } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

interface Finding {
  id: string;
  severity: string;
  finding: string;
}

function testssl(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('testssl', args, { encoding: 'utf8', timeout: 280_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

t.test('testssl.sh: no HIGH or CRITICAL finding, no SSLv3 / TLS 1.0 / TLS 1.1', async (t) => {
  t.setTimeout(300_000);
  const which = await new Promise<boolean>((resolve) => execFile('testssl', ['--version'], (error) => resolve(error === null)));
  t.ok(which, 'testssl is installed (Debian package testssl.sh; .ci/run installs it)');
  if (!which) return;
  const dir = scratchDir('tls-testssl');
  const certificate = makeCertificate(dir, 'localhost', ['localhost'], { days: 90, extensions: ['crlDistributionPoints=URI:http://127.0.0.1:9/test.crl', 'authorityInfoAccess=OCSP;URI:http://127.0.0.1:9/ocsp'] });
  const backend = await startBackend('backend-1');
  t.teardown(() => backend.stop());
  const gw = await startGateway({ backends: [backend.url], tls: { enabled: true, port: 0, certificates: [certificate] } });
  t.teardown(() => gw.close());
  await waitFor(() => gw.gateway.loadBalancer.available === 1);

  const report = join(dir, 'testssl.json');
  const { output } = await testssl(['--quiet', '--color', '0', '--warnings', 'batch', '--add-ca', certificate.cert, '--jsonfile', report, `https://127.0.0.1:${gw.tlsPort}`]);
  let findings: Finding[];
  try {
    findings = JSON.parse(readFileSync(report, 'utf8')) as Finding[];
  } catch {
    t.fail(`testssl wrote no JSON report: ${output.slice(-2000)}`);
    return;
  }
  t.ok(findings.length > 20, `the scan ran (${findings.length} findings)`);
  const severe = findings.filter((finding) => finding.severity === 'HIGH' || finding.severity === 'CRITICAL');
  t.same(severe, [], 'no HIGH or CRITICAL finding');
  for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1']) {
    t.match(findings.find((finding) => finding.id === id)?.finding, /^not offered/, `${id} not offered`);
  }
  t.match(findings.find((finding) => finding.id === 'TLS1_2')?.finding, /^offered/, 'TLS 1.2 offered');
  // The summary in the test log: every finding above INFO/OK, for the issue note.
  t.comment(findings.filter((finding) => !['OK', 'INFO'].includes(finding.severity)).map((finding) => `${finding.severity} ${finding.id}: ${finding.finding}`).join('\n'));
});
