import { render, screen } from '@testing-library/react';

import { Markdown } from './markdown';

function renderNote(text: string) {
  return render(<Markdown text={text} />).container;
}

describe('sticky-note Markdown', () => {
  it('renders a web link that opens in a new tab without an opener', () => {
    renderNote('See [the docs](https://example.com/docs) and <https://example.org>.');
    const link = screen.getByRole('link', { name: 'the docs' });
    expect(link).toHaveAttribute('href', 'https://example.com/docs');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(screen.getByRole('link', { name: 'https://example.org' })).toBeInTheDocument();
  });

  it('keeps mailto links', () => {
    renderNote('[Write to us](mailto:team@example.com)');
    expect(screen.getByRole('link', { name: 'Write to us' })).toHaveAttribute(
      'href',
      'mailto:team@example.com',
    );
  });

  it('renders a numbered list in order', () => {
    const note = renderNote('1. Fetch\n2. Summarise\n3. Send');
    const list = note.querySelector('ol');
    expect(list).not.toBeNull();
    expect([...list!.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'Fetch',
      'Summarise',
      'Send',
    ]);
  });

  it('renders a fenced code block as preformatted code', () => {
    const note = renderNote('```python\nprint("hi")\n```');
    const code = note.querySelector('pre > code');
    expect(code).toHaveTextContent('print("hi")');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<b>x</b>',
    'vbscript:msgbox(1)',
  ])('shows a link to %s as plain text, not a link', (url) => {
    const note = renderNote(`[click me](${url})`);
    expect(screen.queryByRole('link')).toBeNull();
    expect(note.querySelector('a')).toBeNull();
    expect(screen.getByText('click me')).toBeInTheDocument();
  });

  it('never turns raw HTML into elements', () => {
    const note = renderNote(
      'Hello <img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<a href="javascript:alert(3)">x</a>',
    );
    expect(note.querySelector('img, script, a, [onerror]')).toBeNull();
  });

  it('never fetches an image: it shows its description', () => {
    const note = renderNote('Look: ![the pipeline](https://tracker.example/pixel.png)');
    expect(note.querySelector('img')).toBeNull();
    expect(note).toHaveTextContent('Look: [the pipeline]');
  });

  it('renders GFM strikethrough and tables', () => {
    const note = renderNote('~~old~~\n\n| a | b |\n| - | - |\n| 1 | 2 |');
    expect(note.querySelector('del')).toHaveTextContent('old');
    expect(note.querySelector('table td')).toHaveTextContent('1');
  });
});
