/**
 * The chat composer: the message box (Enter sends, Shift+Enter starts a line), an attach button and
 * the send button, and, where the deployment allows markdown, a formatting toolbar and an emoji
 * picker that write the markdown the widget renders (markdown.ts): **bold**, *italic*, lists, links.
 */
import { h } from "./dom";
import type { Strings } from "./strings";

export interface ComposerOptions {
  /** Unique prefix for element ids. */
  id: string;
  strings: Strings;
  /** Called with the trimmed text on submit (Enter or the send button), if there is any; the composer does not clear itself. */
  send(text: string): void;
  /** On input. */
  typing(): void;
  /** A file was chosen. */
  attach(file: File): void;
}

export interface Composer {
  /** Class "cc-compose". */
  form: HTMLFormElement;
  textarea: HTMLTextAreaElement;
  /** What the deployment allows: markdown shows the formatting toolbar and emoji picker; attachments the attach button. */
  setFeatures(features: { markdown: boolean; attachments: boolean }): void;
  clear(): void;
  focus(): void;
}

/** Each is its own button's name: screen readers speak an emoji's name in the customer's language. */
const emoji = "😀 😂 😊 😍 🙂 😉 😢 😮 👍 👎 👏 🙏 🎉 ❤️ 🔥 ✅ ❌ ⭐ 👋 🤔 😅 😎 🙌 💡".split(" ");
/** The emoji grid's width, for the arrow keys (composer.css lays it out the same). */
const columns = 6;

/** A 24×24 icon for a button that carries its own name: filled, or drawn with lines. */
function icon(path: string, line?: boolean): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const attributes = { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false", fill: line ? "none" : "currentColor", stroke: line ? "currentColor" : "none" };
  for (const [name, value] of Object.entries(attributes)) svg.setAttribute(name, value);
  svg.appendChild(document.createElementNS(ns, "path")).setAttribute("d", path);
  return svg;
}

/** One tab stop for a group of buttons: arrow keys (mirrored right to left), Home and End move it. */
function rove(group: HTMLElement, items: Element[], rowLength: number): void {
  const current = (item: EventTarget | null) => items.includes(item as Element) && items.forEach((other) => { (other as HTMLElement).tabIndex = other === item ? 0 : -1; });
  current(items[0]);
  group.addEventListener("focusin", (event) => current(event.target));
  group.addEventListener("keydown", (event) => {
    const i = items.indexOf(event.target as Element);
    const forward = getComputedStyle(group).direction === "rtl" ? -1 : 1;
    const step = ({ ArrowRight: forward, ArrowLeft: -forward, ArrowDown: rowLength, ArrowUp: -rowLength, Home: -i, End: -1 - i } as Record<string, number>)[event.key];
    if (i < 0 || !step) return;
    event.preventDefault();
    (items[(i + step + items.length) % items.length] as HTMLElement).focus();
  });
}

export function createComposer(options: ComposerOptions): Composer {
  const { id, strings } = options;
  let markdown = false;

  /** Replaces from…to with text as typing would (undoable, fires input), then selects start…end. */
  const edit = (from: number, to: number, text: string, start = from + text.length, end = start) => {
    textarea.focus();
    textarea.setSelectionRange(from, to);
    if (!document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.setSelectionRange(start, end);
  };

  /** Wraps the selection in ** or *, or unwraps it if it is wrapped already (*** is both). */
  const toggle = (mark: string) => {
    const { value, selectionStart: s, selectionEnd: e } = textarea;
    const n = mark.length;
    const selected = value.slice(s, e);
    const stars = (before: string, after: string) => Math.min(/\**$/.exec(before)![0].length, /^\**/.exec(after)![0].length);
    const wrapped = (count: number) => (n > 1 ? count > 1 : count % 2);
    if (wrapped(stars(value.slice(0, s), value.slice(e)))) edit(s - n, e + n, selected, s - n, e - n);
    else if (selected.length > 2 * n && wrapped(stars(selected, selected))) edit(s, e, selected.slice(n, -n), s, e - 2 * n);
    else edit(s, e, mark + selected + mark, s + n, e + n);
  };

  /** Makes the selected lines a list, or plain lines again if they are one already. */
  const list = (numbered: boolean) => {
    const { value, selectionStart, selectionEnd } = textarea;
    const s = selectionStart && value.lastIndexOf("\n", selectionStart - 1) + 1;
    const lineEnd = value.indexOf("\n", selectionEnd > selectionStart && value[selectionEnd - 1] === "\n" ? selectionEnd - 1 : selectionEnd);
    const e = lineEnd < 0 ? value.length : lineEnd;
    const marker = numbered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/;
    const lines = value.slice(s, e).split("\n");
    const off = lines.every((line) => marker.test(line));
    const text = lines.map((line, i) => (off ? line.replace(marker, "") : (numbered ? `${i + 1}. ` : "- ") + line.replace(/^\s*(\d+[.)]|[-*+])\s+/, ""))).join("\n");
    // markdown.ts reads a list only as a paragraph of its own: set it apart from the lines around it.
    const apart = (line?: string) => (!off && line?.trim() && !marker.test(line) ? "\n" : "");
    const before = apart(s ? value.slice(0, s - 1).split("\n").pop() : undefined);
    const start = s + before.length;
    edit(s, e, before + text + apart(value.slice(e + 1).split("\n")[0]), start + (selectionStart === selectionEnd ? text.length : 0), start + text.length);
  };

  /** [selection](https://) with https:// selected, to type the address over. */
  const link = () => {
    const { value, selectionStart: s, selectionEnd: e } = textarea;
    const label = value.slice(s, e) || strings.link;
    edit(s, e, `[${label}](https://)`, s + label.length + 3, s + label.length + 11);
  };

  const shortcuts: Record<string, () => void> = { b: () => toggle("**"), i: () => toggle("*"), k: link };
  const textarea = h("textarea", {
    id: `${id}-message`, rows: "2", maxlength: "1024", placeholder: strings.messagePlaceholder,
    oninput: () => options.typing(),
    onkeydown: (event: Event) => {
      const key = event as KeyboardEvent;
      // Enter that ends an IME composition (229: Safari's) picks the word; it does not send.
      if (key.isComposing || key.keyCode === 229) return;
      const shortcut = markdown && (key.ctrlKey || key.metaKey) && !key.altKey && shortcuts[key.key.toLowerCase()];
      if (key.key === "Enter" && !key.shiftKey) form.requestSubmit();
      else if (shortcut) shortcut();
      else return;
      key.preventDefault();
    },
  });

  const tool = (label: string, content: Node | string, run?: () => void, extra = {}) =>
    h("button", { type: "button", "aria-label": label, title: label, onclick: run, ...extra }, content);
  const emojiButton = tool(strings.emoji, icon("M22 12a10 10 0 1 1-20 0 10 10 0 0 1 20 0zM8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01", true),
    () => showPicker(picker.hidden), { "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": `${id}-emoji` });
  const outside = (target: EventTarget | null) => target instanceof Node && !picker.contains(target) && !emojiButton.contains(target);
  const onPointer = (event: Event) => { if (outside(event.target)) showPicker(false); };
  const showPicker = (open: boolean, refocus?: boolean) => {
    picker.hidden = !open;
    emojiButton.setAttribute("aria-expanded", String(open));
    document[open ? "addEventListener" : "removeEventListener"]("pointerdown", onPointer);
    if (open) picker.querySelector<HTMLElement>("[tabindex='0']")!.focus();
    else if (refocus) emojiButton.focus();
  };
  const picker = h("div", {
    id: `${id}-emoji`, class: "cc-emoji", role: "dialog", "aria-label": strings.emoji, hidden: true,
    onkeydown: (event: Event) => {
      if ((event as KeyboardEvent).key !== "Escape") return;
      event.stopPropagation();
      showPicker(false, true);
    },
    onfocusout: (event: Event) => { if (outside((event as FocusEvent).relatedTarget)) showPicker(false); },
  }, ...emoji.map((char) => h("button", { type: "button", onclick: () => {
    showPicker(false);
    edit(textarea.selectionStart, textarea.selectionEnd, char);
  } }, char)));
  rove(picker, [...picker.children], columns);

  const tools = [
    tool(strings.bold, h("b", {}, "B"), shortcuts.b),
    tool(strings.italic, h("i", {}, "I"), shortcuts.i),
    tool(strings.bulletList, icon("M9 6h12M9 12h12M9 18h12M4 6h.01M4 12h.01M4 18h.01", true), () => list(false)),
    tool(strings.numberedList, icon("M10 6h11M10 12h11M10 18h11M4 6h1v4M4 10h2M6 18H4c0-1 2-2 2-3s-1-1.5-2-1", true), () => list(true)),
    tool(strings.link, icon("M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7", true), link),
    emojiButton,
  ];
  const toolbar = h("div", { class: "cc-toolbar", role: "toolbar", "aria-label": strings.formatting, "aria-controls": textarea.id, hidden: true }, ...tools);
  rove(toolbar, tools, 0);

  const file = h("input", { type: "file", hidden: true, onchange: () => {
    const chosen = file.files?.[0];
    file.value = "";
    if (chosen) options.attach(chosen);
  } });
  const attachButton = tool(strings.attach, icon("m21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5", true),
    () => file.click(), { hidden: true });
  const form = h("form", { class: "cc-compose", onsubmit: (event: Event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (text) options.send(text);
  } },
  toolbar, picker, h("label", { for: textarea.id, class: "cc-visually-hidden" }, strings.messageLabel), textarea, file, attachButton,
  tool(strings.send, icon("M2 21l21-9L2 3v7l15 2-15 2z"), undefined, { type: "submit" }));

  return {
    form,
    textarea,
    setFeatures(features) {
      markdown = features.markdown;
      toolbar.hidden = !markdown;
      attachButton.hidden = !features.attachments;
      if (!markdown) showPicker(false);
    },
    clear() {
      textarea.value = "";
    },
    focus() {
      textarea.focus();
    },
  };
}
