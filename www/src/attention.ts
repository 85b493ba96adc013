/**
 * Lets the customer notice agent messages that arrive while they are away (another tab, or the
 * widget minimised): a count in front of the page's title and a badge as its favicon, and if the
 * deployer turns them on, a soft chime and a desktop notification. Whatever it changes in the host
 * page it puts back as it was. Small on purpose: it ships in the first load.
 */
import { format, type Strings } from "./strings";

export interface AttentionOptions {
  strings: Strings;
  /** Play a short sound for each agent message that arrives while the customer is away. Default false. */
  sound?: boolean;
  /** Show a desktop notification for an agent message while the page is hidden. Default false. */
  desktop?: boolean;
  /** The customer clicked a notification: bring the chat forward. */
  activate(): void;
}

export interface Attention {
  /** Call from a customer gesture (the Start chat click): asks notification permission if desktop is on and permission is "default"; unlocks audio. Never asks at any other time. */
  prepare(): void;
  /** An agent (or bot/system) message arrived; `away` is true when the customer cannot see it (page hidden, or the widget's panel minimised). */
  arrived(message: { from: string; text: string; away: boolean }): void;
  /** The customer sees the chat again: restore title and favicon, clear the count. */
  seen(): void;
  /** Remove everything this module changed in the page (title, favicon) and its listeners. */
  dispose(): void;
}

/** Runs `action`, ignoring what a browser without the feature (or one that blocks it) throws. */
function quietly(action: () => unknown): void {
  try {
    action();
  } catch {
    // Missing or blocked here: the chat works without it.
  }
}

export function createAttention(options: AttentionOptions): Attention {
  let count = 0;
  /** Every unread message arrived while the page was hidden: showing the page shows them. */
  let whileHidden = true;
  /** The host's own title, and the one this module put in its place. */
  let hostTitle = "";
  let ourTitle: string | undefined;
  /** The page's icon links the badge stands in for, each with its rel (set aside in place, so they stay exactly as they were). */
  let icons: [HTMLLinkElement, string][] = [];
  let badge: HTMLLinkElement | undefined;
  let audio: AudioContext | undefined;
  let notification: Notification | undefined;
  let disposed = false;

  const seen = () => {
    count = 0;
    whileHidden = true;
    // A title the host set meanwhile stays.
    if (document.title === ourTitle) document.title = hostTitle;
    badge?.remove();
    badge = undefined;
    for (const [link, rel] of icons) if (!link.rel) link.rel = rel;
    icons = [];
    notification?.close();
    notification = undefined;
  };
  // Back in the tab: the messages are in view, unless the panel is minimised (then the widget calls seen()).
  const onVisibility = () => !document.hidden && whileHidden && seen();
  document.addEventListener("visibilitychange", onVisibility);

  return {
    prepare() {
      if (disposed) return;
      if (options.sound) quietly(() => (audio ??= new AudioContext()).resume());
      if (options.desktop) quietly(() => Notification.permission === "default" && Notification.requestPermission()?.catch(() => undefined));
    },

    arrived({ from, text, away }) {
      if (!away || disposed) return;
      count++;
      if (!document.hidden) whileHidden = false;
      // A title that is not ours is the host's newest (it may have changed since): the one to put back.
      if (document.title !== ourTitle) hostTitle = document.title;
      document.title = ourTitle = format(options.strings.newMessages, { count }) + (hostTitle && " · " + hostTitle);
      if (!badge) {
        for (const link of document.querySelectorAll<HTMLLinkElement>("link[rel~=icon]")) {
          icons.push([link, link.rel]);
          link.rel = "";
        }
        badge = document.head.appendChild(document.createElement("link"));
        badge.rel = "icon";
      }
      // A red disc with the count. Only "#" needs escaping in a data: URL of SVG.
      badge.href = `data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><circle cx='8' cy='8' r='8' fill='%23d1242f'/><text x='8' y='12' fill='white' text-anchor='middle' style='font:bold 10px sans-serif'>${count > 9 ? "9+" : count}</text></svg>`;
      const context = audio;
      // Two soft notes fading out over 200 ms. A sine starts at zero, so it starts at full volume without a click.
      if (options.sound && context) quietly(() => {
        const tone = context.createOscillator();
        const gain = context.createGain();
        const now = context.currentTime;
        tone.frequency.value = 660;
        tone.frequency.setValueAtTime(880, now + 0.1);
        gain.gain.setValueAtTime(0.08, now);
        gain.gain.linearRampToValueAtTime(0, now + 0.2);
        tone.connect(gain).connect(context.destination);
        tone.start();
        tone.stop(now + 0.2);
      });
      if (options.desktop && document.hidden) quietly(() => {
        if (Notification.permission !== "granted") return;
        const shown = notification = new Notification(format(options.strings.notificationTitle, { name: from }), {
          body: text.length > 120 ? text.slice(0, 119) + "…" : text,
          // One at a time: a burst of messages replaces the notification rather than stacking them.
          tag: "connect-chat",
        });
        shown.onclick = () => {
          focus();
          options.activate();
          shown.close();
        };
      });
    },

    seen,

    dispose() {
      seen();
      disposed = true;
      document.removeEventListener("visibilitychange", onVisibility);
      quietly(() => audio?.close());
      audio = undefined;
    },
  };
}
