/** The page's pure logic: markdown, the transcript model, pickers, security headers. */
import { expect } from "chai";
import { parsePicker } from "../www/src/interactive";
import { parseInline, parseMarkdown, safeHref, type Inline } from "../www/src/markdown";
import { contentSecurityPolicy } from "../www/security-headers";
import { english } from "../www/src/strings";
import { applyItem, contentTypes, emptyTranscript, noticeText, transcriptText, type ChatItem, type Transcript } from "../www/src/transcript";

/** Every link target and every text run in a parsed message. */
function flatten(nodes: Inline[]): { hrefs: string[]; text: string } {
  const hrefs: string[] = [];
  let text = "";
  const walk = (list: Inline[]) => {
    for (const node of list) {
      if (node.type === "text" || node.type === "code") text += node.text;
      else if (node.type === "link") { hrefs.push(node.href); walk(node.children); }
      else if (node.type !== "br") walk(node.children);
    }
  };
  walk(nodes);
  return { hrefs, text };
}

describe("markdown from agents", () => {
  it("parses bold, italics, code, links, lists and line breaks", () => {
    expect(parseMarkdown("**Hi** _there_,\nsee `code` and [docs](https://example.com/a?b=1)\n\n- one\n- **two**\n\n1. first\n2. second")).to.deep.equal([
      { type: "p", children: [
        { type: "strong", children: [{ type: "text", text: "Hi" }] }, { type: "text", text: " " },
        { type: "em", children: [{ type: "text", text: "there" }] }, { type: "text", text: "," }, { type: "br" },
        { type: "text", text: "see " }, { type: "code", text: "code" }, { type: "text", text: " and " },
        { type: "link", href: "https://example.com/a?b=1", children: [{ type: "text", text: "docs" }] },
      ] },
      { type: "ul", items: [[{ type: "text", text: "one" }], [{ type: "strong", children: [{ type: "text", text: "two" }] }]] },
      { type: "ol", items: [[{ type: "text", text: "first" }], [{ type: "text", text: "second" }]] },
    ]);
  });

  // Classic payloads: none may become markup, a script URL, or an event handler.
  const attacks = [
    "<script>window.pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[x](https://ok.example.com\" onmouseover=\"alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "**<svg onload=alert(1)>**",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "[a](java\u0000script:alert(1))",
    "`<script>alert(1)</script>`",
  ];
  for (const attack of attacks) {
    it(`keeps ${JSON.stringify(attack)} inert`, () => {
      const { hrefs, text } = flatten(parseMarkdown(attack).flatMap((block) => (block.type === "p" ? block.children : block.items.flat())));
      for (const href of hrefs) expect(href).to.match(/^(https?|mailto|tel):/);
      // What looked like HTML is still there, as text the page will show, not run.
      if (attack.includes("<")) expect(text).to.include("<");
    });
  }

  it("allows only http(s), mailto and tel link targets", () => {
    expect(safeHref("https://example.com")).to.equal("https://example.com/");
    expect(safeHref("mailto:help@example.com")).to.equal("mailto:help@example.com");
    for (const bad of ["javascript:alert(1)", "data:text/html,x", "/relative", "file:///etc/passwd", "blob:https://x/1"]) expect(safeHref(bad), bad).to.equal(undefined);
  });

  it("keeps an unsafe link as its literal text", () => {
    expect(parseInline("[x](javascript:alert(1))")).to.deep.equal([{ type: "text", text: "[x](javascript:alert(1))" }]);
  });
});

describe("the transcript model", () => {
  const self = "customer-participant";
  const at = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 9, 0, seconds)).toISOString();
  const message = (id: string, seconds: number, role = "AGENT", extra: Partial<ChatItem> = {}): ChatItem => ({
    Id: id, Type: "MESSAGE", ContentType: "text/plain", Content: `text ${id}`, AbsoluteTime: at(seconds),
    ParticipantRole: role, ParticipantId: role === "CUSTOMER" ? self : "agent-participant", DisplayName: role === "CUSTOMER" ? "Ana" : "Jane", ...extra,
  });
  const event = (id: string, contentType: string, seconds: number, extra: Partial<ChatItem> = {}): ChatItem => ({
    Id: id, Type: "EVENT", ContentType: contentType, AbsoluteTime: at(seconds), ParticipantRole: "AGENT", ParticipantId: "agent-participant", DisplayName: "Jane", ...extra,
  });
  const apply = (items: ChatItem[], from: Transcript = emptyTranscript) => items.reduce((t, item) => applyItem(t, item, { participantId: self, contactId: "now" }), from);

  it("orders by time and ignores duplicates, so live items and GetTranscript can overlap", () => {
    const live = [message("b", 2), message("c", 3, "CUSTOMER")];
    const history = [message("a", 1), message("b", 2), message("c", 3, "CUSTOMER")];
    const transcript = apply(history, apply(live));
    expect(transcript.entries.map((e) => e.id)).to.deep.equal(["a", "b", "c"]);
    expect(transcript.entries.map((e) => e.role)).to.deep.equal(["agent", "agent", "customer"]);
  });

  it("marks the customer's messages delivered, then read, never back", () => {
    const receipt = (contentType: string) => ({ Id: `r-${contentType}`, Type: "MESSAGEMETADATA", ContentType: contentType, MessageMetadata: { MessageId: "m", Receipts: [{ RecipientParticipantId: "agent-participant" }] } });
    const sent = apply([message("m", 1, "CUSTOMER")]);
    const read = apply([receipt(contentTypes.delivered), receipt(contentTypes.read), receipt(contentTypes.delivered)], sent);
    expect(read.entries[0]).to.include({ kind: "message", receipt: "read" });
  });

  it("shows markdown, joins and leaves of others, and the end of the chat", () => {
    const transcript = apply([
      event("j1", contentTypes.joined, 1),
      event("j2", contentTypes.joined, 1, { ParticipantRole: "CUSTOMER", ParticipantId: self }),
      message("m", 2, "AGENT", { ContentType: "text/markdown", Content: "**hi**" }),
      event("t", contentTypes.typing, 3),
      event("l", contentTypes.left, 4),
      event("e", contentTypes.ended, 5, { ParticipantRole: "SYSTEM" }),
    ]);
    expect(transcript.entries.map((e) => (e.kind === "notice" ? noticeText(e, english) : e.kind))).to.deep.equal(["Jane joined the chat", "message", "Jane left the chat", "The chat has ended"]);
    expect(transcript.entries[1]).to.include({ markdown: true });
    expect(transcript.ended).to.equal(true);
  });

  it("does not end a chat on the end of an earlier chat it continues", () => {
    const transcript = apply([
      message("old", 1, "AGENT", { ContactId: "before" }),
      event("old-end", contentTypes.ended, 2, { ContactId: "before", ParticipantRole: "SYSTEM" }),
      message("new", 3, "AGENT", { ContactId: "now" }),
    ]);
    expect(transcript.ended).to.equal(false);
    expect(transcript.entries.map((e) => (e.kind === "notice" ? noticeText(e, english) : e.id))).to.deep.equal(["old", "An earlier chat ended here", "new"]);
    expect(apply([event("end", contentTypes.ended, 4, { ContactId: "now", ParticipantRole: "SYSTEM" })], transcript).ended).to.equal(true);
  });

  it("shows attachments and interactive pickers, and skips content types it cannot show", () => {
    const transcript = apply([
      { Id: "f", Type: "ATTACHMENT", AbsoluteTime: at(1), ParticipantRole: "AGENT", DisplayName: "Jane", Attachments: [{ AttachmentId: "att-1", AttachmentName: "invoice.pdf", Status: "APPROVED" }] },
      message("p", 2, "AGENT", { ContentType: contentTypes.interactive, Content: JSON.stringify({ templateType: "ListPicker", version: "1.0", data: { content: { title: "Pick one", elements: [{ title: "Apples" }, { title: "Pears" }] } } }) }),
      message("x", 3, "AGENT", { ContentType: "application/json", Content: "{}" }),
    ]);
    expect(transcript.entries.map((e) => e.kind)).to.deep.equal(["attachment", "picker"]);
    expect(transcriptText(transcript, english, "en-GB")).to.include("Jane: [Attachment: invoice.pdf]").and.include("Jane: Pick one: Apples | Pears");
  });
});

describe("interactive pickers", () => {
  it("read list pickers and quick replies as titled choices", () => {
    expect(parsePicker(JSON.stringify({ templateType: "QuickReply", data: { content: { title: "Rate us", elements: [{ title: "Good" }, { title: "" }, { title: "Bad" }] } } })))
      .to.deep.equal({ title: "Rate us", subtitle: undefined, choices: [{ label: "Good", value: "Good" }, { label: "Bad", value: "Bad" }] });
  });
  it("reply to a time picker with the slot's own date", () => {
    const picker = parsePicker(JSON.stringify({ templateType: "TimePicker", data: { content: { title: "When?", timeslots: [{ date: "2026-11-23T10:00+00:00", duration: 60 }, { date: "not a date" }] } } }), "en-GB");
    expect(picker?.choices).to.have.length(1);
    expect(picker?.choices[0].value).to.equal("2026-11-23T10:00+00:00");
  });
  it("refuse what is not a picker", () => {
    for (const content of ["not json", "{}", JSON.stringify({ data: { content: { title: "No choices", elements: [] } } })]) expect(parsePicker(content), content).to.equal(undefined);
  });
});

describe("the site's content security policy", () => {
  it("allows Connect's participant service and websocket for the region, and nothing else by default", () => {
    expect(contentSecurityPolicy({ apiOrigins: [], participant: { region: "ap-southeast-2" } })).to.equal(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
      "connect-src 'self' https://participant.connect.ap-southeast-2.amazonaws.com wss://*.transport.connect.ap-southeast-2.amazonaws.com https://*.s3.ap-southeast-2.amazonaws.com; " +
      "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'");
  });
  it("points at the local stack's participant service and websocket locally", () => {
    expect(contentSecurityPolicy({ apiOrigins: [], participant: { localOrigin: "http://127.0.0.1:8080" } })).to.include("connect-src 'self' http://127.0.0.1:8080 ws://127.0.0.1:8080;");
  });
});
