/**
 * The markdown agents may send (bold, italics, code, links, lists, line breaks), parsed to a small
 * tree. The page renders that tree with `textContent` and `createElement` only: no HTML from a
 * message is ever parsed, and links keep only http(s), mailto and tel targets.
 */
export type Inline =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "strong" | "em"; children: Inline[] }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "br" };

export type Block = { type: "p"; children: Inline[] } | { type: "ul" | "ol"; items: Inline[][] };

const safeSchemes = ["http:", "https:", "mailto:", "tel:"];

/** The URL if it is absolute and of a scheme that cannot run code; undefined otherwise. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url.trim());
    return safeSchemes.includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const inlineToken = /`([^`\n]+)`|\*\*(.+?)\*\*|__(.+?)__|\*(?=\S)(.+?)\*|_(?=\S)(.+?)_|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  const text = (value: string) => {
    value.split("\n").forEach((line, i) => {
      if (i > 0) out.push({ type: "br" });
      const previous = out[out.length - 1];
      if (line && previous?.type === "text") previous.text += line;
      else if (line) out.push({ type: "text", text: line });
    });
  };
  let last = 0;
  for (const match of source.matchAll(inlineToken)) {
    text(source.slice(last, match.index));
    last = match.index! + match[0].length;
    const [, code, strong, strongAlt, em, emAlt, label, url] = match;
    if (code !== undefined) out.push({ type: "code", text: code });
    else if (strong ?? strongAlt) out.push({ type: "strong", children: parseInline(strong ?? strongAlt) });
    else if (em ?? emAlt) out.push({ type: "em", children: parseInline(em ?? emAlt) });
    else {
      const href = safeHref(url);
      if (href) out.push({ type: "link", href, children: parseInline(label) });
      else text(match[0]);
    }
  }
  text(source.slice(last));
  return out;
}

const bullet = /^\s*[-*+]\s+/;
const numbered = /^\s*\d+[.)]\s+/;

export function parseMarkdown(source: string): Block[] {
  return source.replace(/\r\n?/g, "\n").split(/\n\s*\n/).map((chunk) => chunk.trim()).filter(Boolean).map((chunk): Block => {
    const lines = chunk.split("\n");
    for (const [type, marker] of [["ul", bullet], ["ol", numbered]] as const) {
      if (lines.every((line) => marker.test(line))) return { type, items: lines.map((line) => parseInline(line.replace(marker, ""))) };
    }
    return { type: "p", children: parseInline(chunk) };
  });
}

/** Builds DOM nodes for a parsed message; every string goes in as text. */
export function renderMarkdown(blocks: Block[], doc: Document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  const inline = (parent: Node, nodes: Inline[]) => {
    for (const node of nodes) {
      if (node.type === "text") parent.appendChild(doc.createTextNode(node.text));
      else if (node.type === "br") parent.appendChild(doc.createElement("br"));
      else if (node.type === "code") parent.appendChild(doc.createElement("code")).textContent = node.text;
      else if (node.type === "link") {
        const a = doc.createElement("a");
        a.href = node.href;
        a.target = "_blank";
        a.rel = "noopener noreferrer nofollow";
        inline(a, node.children);
        parent.appendChild(a);
      } else inline(parent.appendChild(doc.createElement(node.type)), node.children);
    }
  };
  for (const block of blocks) {
    const element = fragment.appendChild(doc.createElement(block.type));
    if (block.type === "p") inline(element, block.children);
    else for (const item of block.items) inline(element.appendChild(doc.createElement("li")), item);
  }
  return fragment;
}
