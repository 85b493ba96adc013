/** One transcript entry as a list item, for the customer page and the local agent console alike. */
import { h } from "./dom";
import { parseMarkdown, renderMarkdown } from "./markdown";
import { format, type Strings } from "./strings";
import { nameOf, noticeText, type Entry } from "./transcript";

export interface EntryActions {
  /** A picker choice was clicked: send its value. */
  choose(value: string): void;
  /** An attachment's download was asked for. */
  download(attachmentId: string, fileName: string): void;
  /** The receipt to show on a message of this role, if any. */
  receiptsFor?: Entry["role"];
  /** The reader's texts, and the locale their times are shown in. */
  strings: Strings;
  locale?: string;
}

export function renderEntry(entry: Entry, actions: EntryActions): HTMLLIElement {
  const { strings } = actions;
  const time = entry.time ? new Date(entry.time) : undefined;
  // <bdi>: a name in another script than the page's keeps its own direction and not the time's.
  const meta = (extra?: string) => h("p", { class: "cc-meta" }, h("bdi", {}, nameOf(entry, strings)),
    time && h("time", { datetime: time.toISOString() }, time.toLocaleTimeString(actions.locale ?? [], { hour: "2-digit", minute: "2-digit" })), extra && ` · ${extra}`);
  if (entry.kind === "notice") return h("li", { class: "cc-notice" }, noticeText(entry, strings));
  const item = h("li", { class: `cc-entry cc-${entry.role}` });
  if (entry.kind === "message") {
    // dir=auto: a message in another script than the page's reads in its own direction.
    const body = h("div", { class: "cc-body", dir: "auto" });
    body.append(entry.markdown ? renderMarkdown(parseMarkdown(entry.text), document) : entry.text);
    const receipt = entry.role === actions.receiptsFor ? strings[entry.receipt ?? "sent"] : undefined;
    item.append(meta(receipt), body);
  } else if (entry.kind === "attachment") {
    item.append(meta(), h("button", { type: "button", class: "cc-link", onclick: () => actions.download(entry.attachmentId, entry.fileName) }, format(strings.downloadFile, { file: entry.fileName })));
  } else {
    const choices = h("div", { class: "cc-choices", role: "group", "aria-label": entry.picker.title },
      ...entry.picker.choices.map((choice) => h("button", { type: "button", onclick: () => actions.choose(choice.value) }, choice.label)));
    item.append(meta(), h("p", { class: "cc-body", dir: "auto" }, entry.picker.title), h("p", { class: "cc-hint" }, entry.picker.subtitle ?? ""), choices);
  }
  return item;
}
