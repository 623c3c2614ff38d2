// Test support (not exported): builds throw-away PKIs with the openssl CLI so that tests can make
// evidence that fails in exactly one way. Keys are small (RSA-2048) to keep tests fast.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCa {
  readonly dir: string;
  readonly keyFile: string;
  readonly certFile: string;
  readonly certPem: string;
}

export interface IssueOptions {
  readonly name: string;
  readonly subject: string;
  /** `rsa-pss` (AMD-like), `ec384`, `ec256`. */
  readonly key: 'rsa-pss' | 'ec384' | 'ec256';
  /** Extra extension lines for an openssl config section, e.g. `1.3.6.1.4.1.3704.1.3.1 = DER:02:01:03`. */
  readonly extensions?: readonly string[];
  readonly ca?: boolean;
  readonly days?: number;
  readonly serial?: number;
}

export class OpensslPki implements Disposable {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'phiguard-pki-'));
  }

  #run(args: readonly string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  #key(name: string, kind: IssueOptions['key']): string {
    const file = path.join(this.dir, `${name}.key`);
    if (kind === 'rsa-pss') this.#run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file]);
    else this.#run(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${kind === 'ec384' ? 'P-384' : 'P-256'}`, '-out', file]);
    return file;
  }

  #sigopts(issuerKeyKind: IssueOptions['key']): string[] {
    return issuerKeyKind === 'rsa-pss'
      ? ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-sigopt', 'rsa_mgf1_md:sha384']
      : [issuerKeyKind === 'ec384' ? '-sha384' : '-sha256'];
  }

  #extFile(name: string, options: IssueOptions): string {
    const lines = [
      '[ext]',
      options.ca === true ? 'basicConstraints = critical,CA:TRUE' : 'basicConstraints = CA:FALSE',
      ...(options.extensions ?? []),
    ];
    const file = path.join(this.dir, `${name}.ext`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  /** A self-signed root. */
  root(options: IssueOptions & { readonly issuerKind?: never }): TestCa & { readonly kind: IssueOptions['key'] } {
    const keyFile = this.#key(options.name, options.key);
    const certFile = path.join(this.dir, `${options.name}.pem`);
    const ext = this.#extFile(options.name, { ...options, ca: true });
    this.#run([
      'req',
      '-new',
      '-x509',
      '-key',
      keyFile,
      '-subj',
      options.subject,
      '-days',
      String(options.days ?? 3650),
      '-set_serial',
      String(options.serial ?? 1),
      '-config',
      ext,
      '-extensions',
      'ext',
      ...this.#sigopts(options.key),
      '-out',
      certFile,
    ]);
    return { dir: this.dir, keyFile, certFile, certPem: readFileSync(certFile, 'utf8'), kind: options.key };
  }

  /** A certificate issued by `issuer` (whose key kind decides the signature scheme). */
  issue(issuer: TestCa & { readonly kind: IssueOptions['key'] }, options: IssueOptions): TestCa & { readonly kind: IssueOptions['key'] } {
    const keyFile = this.#key(options.name, options.key);
    const csr = path.join(this.dir, `${options.name}.csr`);
    const certFile = path.join(this.dir, `${options.name}.pem`);
    this.#run(['req', '-new', '-key', keyFile, '-subj', options.subject, '-out', csr]);
    const ext = this.#extFile(options.name, options);
    this.#run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      issuer.certFile,
      '-CAkey',
      issuer.keyFile,
      '-set_serial',
      String(options.serial ?? 2),
      '-days',
      String(options.days ?? 3650),
      '-extfile',
      ext,
      '-extensions',
      'ext',
      ...this.#sigopts(issuer.kind),
      '-out',
      certFile,
    ]);
    return { dir: this.dir, keyFile, certFile, certPem: readFileSync(certFile, 'utf8'), kind: options.key };
  }

  /** A CRL signed by `ca` listing `revokedSerials` (hex), valid lastUpdate..nextUpdate (YYMMDDHHMMSSZ). */
  crl(ca: TestCa & { readonly kind: IssueOptions['key'] }, revokedSerials: readonly string[], hours = 24 * 30): string {
    const index = path.join(this.dir, `${path.basename(ca.certFile)}.index`);
    const lines = revokedSerials.map((s) => `R\t491231235959Z\t230101000000Z\t${s.toUpperCase()}\tunknown\t/CN=revoked`);
    writeFileSync(index, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    const conf = path.join(this.dir, 'ca.cnf');
    writeFileSync(
      conf,
      `[ca]\ndefault_ca = d\n[d]\ndatabase = ${index}\ndefault_md = ${ca.kind === 'ec256' ? 'sha256' : 'sha384'}\ncrlnumber = ${path.join(this.dir, 'crlnumber')}\n`,
    );
    writeFileSync(path.join(this.dir, 'crlnumber'), '01\n');
    const out = path.join(this.dir, 'out.crl');
    this.#run([
      'ca',
      '-config',
      conf,
      '-gencrl',
      '-keyfile',
      ca.keyFile,
      '-cert',
      ca.certFile,
      '-crlhours',
      String(hours),
      ...(ca.kind === 'rsa-pss'
        ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-sigopt', 'rsa_mgf1_md:sha384']
        : []),
      '-out',
      out,
    ]);
    return readFileSync(out, 'utf8');
  }

  [Symbol.dispose](): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** DER INTEGER extension value for openssl configs: `DER:02:01:05`. */
export function derInt(n: number): string {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v >>= 8;
  } while (v > 0);
  if (((bytes[0] as number) & 0x80) !== 0) bytes.unshift(0);
  return `DER:02:${bytes.length.toString(16).padStart(2, '0')}:${bytes.map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

/** DER OCTET STRING payload for openssl configs. */
export function derRaw(bytes: Uint8Array): string {
  return `DER:${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}
