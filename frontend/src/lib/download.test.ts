import { describe, expect, it } from 'vitest';

import { filenameFromContentDisposition } from './download';

describe('filenameFromContentDisposition', () => {
  it('prefers the UTF-8 filename*', () => {
    expect(
      filenameFromContentDisposition(
        `attachment; filename="support-answers.nodeloom.json"; filename*=UTF-8''r%C3%A9ponses-%F0%9F%A4%96.nodeloom.json`,
      ),
    ).toBe('réponses-🤖.nodeloom.json');
  });

  it('reads a quoted or bare filename', () => {
    expect(filenameFromContentDisposition('attachment; filename="a b.json"')).toBe('a b.json');
    expect(filenameFromContentDisposition('attachment; filename=plain.json')).toBe('plain.json');
  });

  it('drops path separators and handles absence', () => {
    expect(filenameFromContentDisposition('attachment; filename="../../etc/passwd"')).toBe(
      '.._.._etc_passwd',
    );
    expect(filenameFromContentDisposition(null)).toBeUndefined();
    expect(filenameFromContentDisposition('attachment')).toBeUndefined();
  });
});
