// The sandbox page: a small Slack look-alike that renders the Block Kit the
// real Bolt app sends. It talks only to the sandbox server on the same origin.
const state = {
  users: [],
  staff: [], // user ids who are in the staff channel
  channels: [],
  user: null,
  view: null, // a channel id, or "home"
  messages: new Map(), // id -> message
  homes: new Map(), // user id -> view
};

const $ = (id) => document.getElementById(id);
/** Set when this person sends: the next render shows the bottom, as Slack does after you post. */
let follow = false;

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

/** Slack's mrkdwn, the subset the bot uses: bold, italic, strike, code, links, quotes. */
function mrkdwn(text) {
  let html = escapeHtml(text);
  html = html.replace(
    /&lt;(https?:[^|&]+)\|([^&]+)&gt;/g,
    '<a href="$1" target="_blank" rel="noreferrer">$2</a>',
  );
  html = html.replace(
    /&lt;#([A-Z0-9]+)(?:\|[^&]*)?&gt;/g,
    (_, id) => `<strong>#${escapeHtml(state.channels.find((c) => c.id === id)?.name ?? id)}</strong>`,
  );
  html = html.replace(
    /&lt;@([A-Z0-9]+)&gt;/g,
    (_, id) => `<strong>@${escapeHtml(state.users.find((u) => u.id === id)?.name ?? id)}</strong>`,
  );
  html = html.replace(/`([^`\n]+)`/g, "<code>$1</code>");
  html = html.replace(/(^|[\s(（「])\*([^*\n]+)\*/g, "$1<strong>$2</strong>");
  html = html.replace(/(^|[\s(（「])_([^_\n]+)_/g, "$1<em>$2</em>");
  html = html.replace(/(^|[\s(（「])~([^~\n]+)~/g, "$1<del>$2</del>");
  html = html.replace(/^&gt; ?(.*)$/gm, "<blockquote>$1</blockquote>");
  return html;
}

function textObject(obj) {
  if (!obj) return "";
  return obj.type === "mrkdwn" ? mrkdwn(obj.text) : escapeHtml(obj.text);
}

function button(el, message, blockId) {
  const b = document.createElement("button");
  b.className = `btn ${el.style ?? ""}`.trim();
  b.innerHTML = textObject(el.text);
  b.dataset.actionId = el.action_id ?? "";
  b.dataset.testid = "button";
  b.addEventListener("click", () => click(message, el, blockId, b));
  return b;
}

function renderBlocks(blocks, message) {
  const wrap = document.createElement("div");
  for (const block of blocks ?? []) {
    const div = document.createElement("div");
    div.className = `block ${block.type}`;
    if (block.block_id) div.dataset.blockId = block.block_id;
    switch (block.type) {
      case "header":
        div.innerHTML = textObject(block.text);
        break;
      case "divider":
        wrap.appendChild(Object.assign(document.createElement("hr"), { className: "block divider" }));
        continue;
      case "context":
        div.innerHTML = (block.elements ?? [])
          .map((e) => (e.type === "image" ? "" : `<span>${textObject(e)}</span>`))
          .join("");
        break;
      case "section": {
        const text = document.createElement("div");
        text.className = "text";
        if (block.text) text.innerHTML = textObject(block.text);
        if (block.fields) {
          const fields = document.createElement("div");
          fields.className = "fields";
          fields.innerHTML = block.fields.map((f) => `<div>${textObject(f)}</div>`).join("");
          text.appendChild(fields);
        }
        div.appendChild(text);
        if (block.accessory?.type === "button")
          div.appendChild(button(block.accessory, message, block.block_id));
        break;
      }
      case "actions":
        for (const el of block.elements ?? [])
          if (el.type === "button") div.appendChild(button(el, message, block.block_id));
        break;
      default:
        div.textContent = `[${block.type}]`;
    }
    wrap.appendChild(div);
  }
  return wrap;
}

function renderMessage(message) {
  const row = document.createElement("div");
  row.className = "message";
  row.dataset.testid = "message";
  row.dataset.id = message.id;
  if (message.ephemeralFor) row.dataset.ephemeral = "true";
  // The sandbox's own notices speak as Slack itself does (Slackbot), not as the app.
  const who =
    message.from ??
    (message.bot ? "ssl-move-bot" : (state.users.find((u) => u.id === message.user)?.name ?? message.user));
  const app = message.bot && !message.from;
  row.innerHTML = `<div class="avatar ${app ? "bot" : ""}">${escapeHtml(who.slice(0, 1))}</div>`;
  const body = document.createElement("div");
  body.className = `body ${message.ephemeralFor ? "ephemeral" : ""}`;
  const time = new Date(message.at).toLocaleTimeString();
  body.innerHTML = `<div class="meta">${escapeHtml(who)}${app ? '<span class="app">APP</span>' : ""}<time>${time}</time></div>`;
  if (message.ephemeralFor) {
    body.insertAdjacentHTML(
      "beforeend",
      '<div class="ephemeral-note">👁 あなただけに表示されています · Only visible to you</div>',
    );
  }
  if (message.blocks?.length) body.appendChild(renderBlocks(message.blocks, message));
  else body.insertAdjacentHTML("beforeend", `<div>${mrkdwn(message.text ?? "")}</div>`);
  row.appendChild(body);
  return row;
}

function visible(message) {
  if (message.channel !== state.view) return false;
  return !message.ephemeralFor || message.ephemeralFor === state.user;
}

function render() {
  const header = $("channel-header");
  const list = $("messages");
  // Follow new messages only when the reader is at the bottom of the same view already.
  const sameView = list.dataset.view === state.view;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const keep = list.scrollTop;
  list.dataset.view = state.view;
  const composer = $("composer");
  for (const b of document.querySelectorAll(".nav"))
    b.classList.toggle("active", b.dataset.view === state.view);
  list.innerHTML = "";
  if (state.view === "home") {
    header.textContent = "🏠 App Home — ssl-move-bot";
    composer.hidden = true;
    const view = state.homes.get(state.user);
    if (view) list.appendChild(renderBlocks(view.blocks, { id: "home", channel: "home", home: true }));
    else list.innerHTML = '<div class="empty">読み込み中… / loading…</div>';
    return;
  }
  const channel = state.channels.find((c) => c.id === state.view);
  header.textContent = channel ? channel.label : "";
  if (channel?.kind === "im" && channel.user !== state.user) {
    // Real Slack would not show someone else's DM; the sandbox does, so the owner-only rule can be tried.
    header.insertAdjacentHTML(
      "beforeend",
      '<div class="hint-line">サンドボックスだけの表示：他の人のDMを見ています（ボタンを押すと本人以外は拒否されます） · Sandbox only: you are looking at someone else\'s DM</div>',
    );
  }
  composer.hidden = false;
  const shown = [...state.messages.values()].filter(visible).sort((a, b) => a.seq - b.seq);
  if (shown.length === 0)
    list.innerHTML =
      '<div class="empty">まだメッセージはありません。下の欄に /ssl-move と入力してみてください。</div>';
  for (const m of shown) list.appendChild(renderMessage(m));
  list.scrollTop = !sameView || atBottom || follow ? list.scrollHeight : keep;
  follow = false;
}

function renderNav() {
  const channels = $("channels");
  const dms = $("dms");
  channels.innerHTML = "";
  dms.innerHTML = "";
  for (const c of state.channels) {
    // Like a private staff channel in Slack: only staff are in it.
    if (c.staffOnly && !state.staff.includes(state.user)) continue;
    const li = document.createElement("li");
    li.innerHTML = `<button class="nav" data-view="${escapeHtml(c.id)}" data-testid="nav-${escapeHtml(c.kind === "im" ? `dm-${c.user}` : c.name)}">${escapeHtml(c.label)}</button>`;
    (c.kind === "im" ? dms : channels).appendChild(li);
  }
  for (const b of document.querySelectorAll(".nav")) b.onclick = () => show(b.dataset.view);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function click(message, element, blockId, node) {
  node.disabled = true;
  try {
    await post("/sandbox/click", {
      user: state.user,
      messageId: message.id,
      home: message.home === true,
      actionId: element.action_id,
      blockId,
      value: element.value ?? "",
      text: element.text?.text ?? "",
    });
  } catch (error) {
    console.error(error);
  } finally {
    node.disabled = false;
  }
}

function show(view) {
  state.view = view;
  sessionStorage.setItem("sandbox", JSON.stringify({ user: state.user, view }));
  if (view === "home") post("/sandbox/home", { user: state.user }).catch(console.error);
  render();
}

async function start() {
  const initial = await (await fetch("/sandbox/state")).json();
  state.users = initial.users;
  state.channels = initial.channels;
  state.staff = initial.staff ?? [];
  // A reload keeps who you are and where you were (this tab only).
  const saved = JSON.parse(sessionStorage.getItem("sandbox") ?? "{}");
  state.user = initial.users.some((u) => u.id === saved.user) ? saved.user : initial.users[0].id;
  for (const m of initial.messages) state.messages.set(m.id, m);
  const select = $("user");
  select.innerHTML = state.users
    .map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)} (${escapeHtml(u.id)})</option>`)
    .join("");
  select.value = state.user;
  select.onchange = () => {
    state.user = select.value;
    renderNav();
    const allowed = state.view === "home" || document.querySelector(`.nav[data-view="${state.view}"]`);
    show(allowed ? state.view : state.channels[0].id);
  };
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    follow = true;
    post("/sandbox/send", { user: state.user, channel: state.view, text }).catch(console.error);
  });
  renderNav();
  const known = saved.view === "home" || document.querySelector(`.nav[data-view="${saved.view}"]`);
  show(known ? saved.view : state.channels[0].id);
  const events = new EventSource("/sandbox/stream");
  events.onmessage = (event) => {
    const change = JSON.parse(event.data);
    if (change.type === "message") state.messages.set(change.message.id, change.message);
    if (change.type === "delete") state.messages.delete(change.id);
    if (change.type === "home") state.homes.set(change.user, change.view);
    render();
  };
}

start().catch((error) => {
  document.body.insertAdjacentHTML("beforeend", `<div class="notice">${escapeHtml(error.message)}</div>`);
});
