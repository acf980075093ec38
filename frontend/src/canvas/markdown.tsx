/**
 * Sticky-note Markdown: react-markdown with GFM, no raw HTML, only web or mail links, and
 * no images: a shared canvas must not make its visitors' browsers fetch someone's URL
 * (a tracking pixel); an image shows as its alt text.
 */
import type { ComponentProps } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import remarkGfm from 'remark-gfm';

const SAFE_URL = /^(https?:|mailto:)/i;

/** Keeps http(s) and mailto URLs; anything else (javascript:, data:, relative) is dropped. */
export function safeUrl(url: string): string | undefined {
  return SAFE_URL.test(url.trim()) ? url : undefined;
}

/** A link leaves the canvas in a new tab; a link whose URL was dropped is plain text. */
function NoteLink({ href, children, node: _node, ...rest }: ComponentProps<'a'> & ExtraProps) {
  if (!href) return <span>{children}</span>;
  return (
    <a {...rest} href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

/** An image is shown as its description, never fetched. */
function NoteImage({ alt }: ComponentProps<'img'> & ExtraProps) {
  return alt ? <span>[{alt}]</span> : null;
}

const COMPONENTS: Components = { a: NoteLink, img: NoteImage };
const PLUGINS = [remarkGfm];

export function Markdown({ text }: { text: string }) {
  return (
    <div className="nl-markdown">
      {/* Raw HTML in the text stays text: no rehype-raw, so it never becomes elements. */}
      <ReactMarkdown remarkPlugins={PLUGINS} components={COMPONENTS} urlTransform={safeUrl}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
