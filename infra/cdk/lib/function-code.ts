import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** Where `make package` leaves the binaries: <repo>/target/lambda (from lib/, or from dist/lib/). */
export const DEFAULT_CODE_ROOT = path.resolve(__dirname, '..', '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []), 'target', 'lambda');

/**
 * cargo-lambda leaves `<root>/<name>/bootstrap`, or `<root>/<name>/bootstrap.zip`
 * with `--output-format zip`; the newer of the two is used.
 */
export function codeFromRoot(root: string, name: string): lambda.Code {
  const dir = path.join(root, name);
  const bin = path.join(dir, 'bootstrap');
  const zip = path.join(dir, 'bootstrap.zip');
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);
  if (mtime(zip) < 0 && mtime(bin) < 0) {
    throw new Error(
      `idc-guardrail: neither ${bin} nor ${zip} exists; build the functions first (make package) ` +
        'or pass codeRoot (-c codeRoot=DIR) pointing at a directory of <name>/bootstrap',
    );
  }
  if (mtime(zip) > mtime(bin)) return lambda.Code.fromAsset(zip);
  return lambda.Code.fromAsset(dir, { exclude: ['bootstrap.zip'] });
}
