import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportWriteError, writeReportFile } from '../../src/io/report-file.js';

const base = mkdtempSync(join(tmpdir(), 'va-report-file-'));
const outside = mkdtempSync(join(tmpdir(), 'va-report-outside-'));
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('writeReportFile', () => {
  it('creates missing directories below the base and the file', async () => {
    await writeReportFile('a/b/c/r.json', 'x', { base });
    expect(readFileSync(join(base, 'a/b/c/r.json'), 'utf8')).toBe('x');
  });

  it('replaces an existing regular file', async () => {
    writeFileSync(join(base, 'old.json'), 'old old old');
    await writeReportFile('old.json', 'new', { base });
    expect(readFileSync(join(base, 'old.json'), 'utf8')).toBe('new');
  });

  it('refuses a symbolic link as the file, leaving its target alone', async () => {
    writeFileSync(join(outside, 'target'), 'keep');
    symlinkSync(join(outside, 'target'), join(base, 'link.json'));
    await expect(writeReportFile('link.json', 'x', { base })).rejects.toThrow(
      new ReportWriteError(
        'link.json',
        'it is a symbolic link; reports are not written through links',
      ),
    );
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('keep');
  });

  it('refuses a symbolic link anywhere between the base and the file', async () => {
    mkdirSync(join(base, 'real'));
    symlinkSync(outside, join(base, 'real', 'linked'));
    await expect(writeReportFile('real/linked/sub/r.json', 'x', { base })).rejects.toThrow(
      `${join(base, 'real', 'linked')} is a symbolic link`,
    );
    expect(existsSync(join(outside, 'sub'))).toBe(false);
  });

  it('writes a path outside the base, checking only its own directory', async () => {
    await writeReportFile(join(outside, 'new-dir', 'r.json'), 'x', { base });
    expect(readFileSync(join(outside, 'new-dir', 'r.json'), 'utf8')).toBe('x');
  });

  it('says which part of the path is not a directory', async () => {
    writeFileSync(join(base, 'file'), '');
    await expect(writeReportFile('file/r.json', 'x', { base })).rejects.toThrow(
      `cannot write file/r.json: ${join(base, 'file')} is not a directory`,
    );
  });
});
