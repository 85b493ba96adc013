/**
 * The floating presentation: a button in a bottom corner that opens the chat in a panel, with an
 * unread count while minimised, and the panel's open or minimised state kept across reloads.
 */
import type { ChatView } from "./chat-view";
import { h } from "./dom";
import type { Emitter } from "./events";
import type { LauncherOptions } from "./options";
import { format, type Strings } from "./strings";

export interface Presentation {
  open(): void;
  close(): void;
  /** Whether the chat is where the customer can see it. */
  inView(): boolean;
}

const svg = (path: string) => {
  const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  icon.innerHTML = `<path fill="currentColor" d="${path}"/>`;
  return icon;
};
const icons = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Z",
  minimise: "M5 11h14v2H5z",
  close: "m6.4 5 5.6 5.6L17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z",
};

export interface LauncherParts {
  view: ChatView;
  strings: Strings;
  options: LauncherOptions;
  /** Where the launcher keeps whether the panel was open (one per site the widget comes from). */
  storageKey: string;
  emitter: Emitter;
  /** The element the launcher lives in (already themed, with lang, dir and colour scheme). */
  container: HTMLElement;
}

export function createLauncher({ view, strings, options, storageKey, emitter, container }: LauncherParts): Presentation {
  const panelId = `${view.root.id || "cc"}-panel`;
  let unread = 0;
  const badge = h("span", { class: "cc-badge", hidden: true, "aria-hidden": "true" });
  const button = h("button", { type: "button", class: "cc-launcher-button", "aria-expanded": "false", "aria-controls": panelId, hidden: Boolean(options.hideButton), onclick: () => open() });
  button.append(svg(icons.chat), badge);
  const minimise = h("button", { type: "button", class: "cc-icon-button", "aria-label": strings.minimise, title: strings.minimise, onclick: () => close() });
  minimise.append(svg(icons.minimise));
  const closeButton = h("button", { type: "button", class: "cc-icon-button", "aria-label": strings.close, title: strings.close, hidden: true, onclick: () => { close(); view.reset(); } });
  closeButton.append(svg(icons.close));
  view.headerActions.append(minimise, closeButton);
  const panel = h("div", { id: panelId, class: "cc-panel", role: "dialog", "aria-labelledby": view.root.getAttribute("aria-labelledby") ?? undefined, hidden: true,
    onkeydown: (event: Event) => { if ((event as KeyboardEvent).key === "Escape") close(); } }, view.root);
  container.append(panel, button);

  const label = () => {
    button.setAttribute("aria-label", unread ? `${strings.openChat} (${format(strings.unreadCount, { count: unread })})` : strings.openChat);
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  };
  label();
  const remember = (state: "open" | "minimised") => {
    try {
      localStorage.setItem(storageKey, state);
    } catch {
      // No storage: the panel starts minimised next time.
    }
  };
  const isOpen = () => !panel.hidden;

  function open(focus = true): void {
    if (isOpen()) return focus ? view.focus() : undefined;
    panel.hidden = false;
    container.dataset.open = "";
    button.setAttribute("aria-expanded", "true");
    unread = 0;
    label();
    remember("open");
    view.seen();
    if (focus) view.focus();
    emitter.emit("open", {});
  }

  function close(): void {
    if (!isOpen()) return;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    delete container.dataset.open;
    button.setAttribute("aria-expanded", "false");
    remember("minimised");
    if (hadFocus && !button.hidden) button.focus();
    emitter.emit("close", {});
  }

  emitter.on("message", () => {
    if (isOpen()) return;
    unread++;
    label();
  });
  // Once the chat ends, the customer may close it for good; until then, only minimise.
  emitter.on("ended", () => void (closeButton.hidden = false));
  for (const event of ["started", "resumed"] as const) emitter.on(event, () => void (closeButton.hidden = true));

  let saved: string | null = null;
  try {
    saved = localStorage.getItem(storageKey);
  } catch {
    // No storage: as on a first visit.
  }
  // Restored after a reload without taking focus from the page; auto-open only on a first visit.
  if (saved === "open" || (saved === null && options.autoOpen)) open(false);

  return { open: () => open(), close, inView: () => isOpen() && document.visibilityState === "visible" };
}
