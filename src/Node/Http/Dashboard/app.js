// The swarm node's live dashboard (issue 18): follows /dashboard/events (server-sent snapshots of the node, its
// torrents and its cluster) and updates the page in place, rows kept by key so that focus and typed values survive
// each refresh; actions are JSON POSTs carrying the token the stream hands out first (against cross-site requests).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  let token = null;
  let lastSnapshot = null;

  // ---- formatting ------------------------------------------------------------------------------------------------

  const units = ["B", "kB", "MB", "GB", "TB"];
  function bytes(n) {
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
  }
  const rate = (n) => (n > 0 ? `${bytes(n)}/s` : "–");
  function uptime(minutes) {
    if (minutes < 60) return `${minutes} min`;
    const h = Math.floor(minutes / 60);
    if (h < 48) return `${h} h ${minutes % 60} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }
  // "akka.tcp://swarm@127.0.0.1:4060" reads as "127.0.0.1:4060".
  const shortAddress = (a) => a.replace(/^[a-z.]+:\/\/[^@]*@/, "");

  function el(tag, props = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }

  function setText(e, text) {
    if (e.textContent !== text) e.textContent = text;
  }

  // ---- messages and actions -------------------------------------------------------------------------------------

  function say(text, kind = "info") {
    const m = $("message");
    m.dataset.kind = kind;
    m.textContent = text;
  }

  async function post(path, body) {
    if (!token) {
      say("Not connected to the node yet: try again in a moment.", "error");
      return false;
    }
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Dashboard-Token": token },
        body: JSON.stringify(body ?? {}),
        credentials: "same-origin",
      });
    } catch (e) {
      say(`The node did not answer: ${e.message}`, "error");
      return false;
    }
    let answer = {};
    try { answer = await response.json(); } catch { /* not JSON: the status says enough */ }
    if (!response.ok) {
      say(answer.error ?? `The node answered ${response.status}.`, "error");
      return false;
    }
    say(answer.message ?? "Done.", "ok");
    return true;
  }

  const torrentPath = (hash, action) => `/dashboard/torrents/${encodeURIComponent(hash)}/${action}`;

  async function fileToBase64(file) {
    const data = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  $("add-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("add-file").files[0];
    const magnet = $("add-magnet").value.trim();
    if (!file && !magnet) {
      say("Choose a .torrent file or paste a magnet link.", "error");
      $("add-magnet").focus();
      return;
    }
    const button = $("add-button");
    button.disabled = true;
    try {
      const body = file ? { metainfo: await fileToBase64(file) } : { magnet };
      if (await post("/dashboard/add", body)) {
        $("add-form").reset();
      }
    } finally {
      button.disabled = false;
    }
  });

  let removing = null;
  $("remove-dialog").addEventListener("close", async () => {
    const dialog = $("remove-dialog");
    if (dialog.returnValue === "remove" && removing) {
      await post(torrentPath(removing, "remove"), { deleteData: $("remove-data").checked });
    }
    removing = null;
  });

  function askRemove(t) {
    removing = t.hash;
    $("remove-name").textContent = t.name;
    $("remove-data").checked = false;
    $("remove-dialog").returnValue = "";
    $("remove-dialog").showModal();
  }

  // ---- torrents -------------------------------------------------------------------------------------------------

  const paused = (state) => state === "paused" || state === "error" || state === "failed";

  function stripLevel(percent) {
    if (percent >= 100) return "all";
    if (percent >= 50) return "most";
    if (percent > 0) return "some";
    return "none";
  }

  function torrentRow(t) {
    const row = el("tr", { "data-hash": t.hash });
    const name = el("th", { scope: "row", class: "name" },
      el("span", { class: "title" }), el("span", { class: "sub" }));
    const bar = el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" }, el("span", { class: "fill" }));
    const progress = el("td", { class: "progress" }, el("div", { class: "meter" }, bar, el("span", { class: "pct" })));
    const state = el("td", {}, el("span", { class: "state" }));
    const toggle = el("button", { type: "button", class: "small toggle" });
    toggle.addEventListener("click", () => {
      const current = row.dataset.state;
      post(torrentPath(t.hash, paused(current) ? "resume" : "pause"));
    });
    const remove = el("button", { type: "button", class: "small danger-outline remove", text: "Remove" });
    remove.addEventListener("click", () => askRemove({ hash: t.hash, name: row.dataset.name }));
    row.append(
      name,
      progress,
      state,
      el("td", { class: "num down" }),
      el("td", { class: "num up" }),
      el("td", { class: "num peers" }),
      el("td", { class: "num copies" }),
      el("td", { class: "pieces" }, el("div", { class: "strip", role: "img" })),
      el("td", { class: "actions" }, toggle, remove));
    return row;
  }

  function updateTorrent(row, t) {
    row.dataset.state = t.state;
    row.dataset.name = t.name;
    setText(row.querySelector(".title"), t.name);
    setText(row.querySelector(".sub"), `${t.hash.slice(0, 8)} · ${bytes(t.size)}${t.replica ? " · replica" : ""}${t.error ? ` · ${t.error}` : ""}`);
    const pct = Math.floor(t.progress * 1000) / 10;
    const bar = row.querySelector(".bar");
    bar.setAttribute("aria-valuenow", String(pct));
    bar.setAttribute("aria-label", `Progress of ${t.name}`);
    bar.dataset.done = t.progress >= 1 ? "true" : "false";
    row.querySelector(".fill").style.width = `${pct}%`;
    setText(row.querySelector(".pct"), `${pct}%`);
    const state = row.querySelector(".state");
    state.dataset.state = t.state;
    setText(state, t.state);
    setText(row.querySelector(".down"), rate(t.downloadRate));
    setText(row.querySelector(".up"), rate(t.uploadRate));
    setText(row.querySelector(".peers"), String(t.peers));
    const copies = row.querySelector(".copies");
    setText(copies, t.factor > 0 ? `${t.copies} / ${t.factor}` : String(t.copies));
    copies.classList.toggle("under", t.factor > 0 && t.copies < t.factor);
    drawStrip(row.querySelector(".strip"), t);
    const toggle = row.querySelector(".toggle");
    setText(toggle, paused(t.state) ? "Resume" : "Pause");
    toggle.setAttribute("aria-label", `${paused(t.state) ? "Resume" : "Pause"} ${t.name}`);
    row.querySelector(".remove").setAttribute("aria-label", `Remove ${t.name}`);
  }

  function drawStrip(strip, t) {
    const cells = t.strip ?? [];
    strip.setAttribute("aria-label", t.pieces > 0
      ? `${t.verifiedPieces} of ${t.pieces} pieces verified`
      : "pieces not known yet (fetching metadata)");
    strip.dataset.have = String(t.verifiedPieces);
    strip.dataset.pieces = String(t.pieces);
    while (strip.children.length > cells.length) strip.lastChild.remove();
    while (strip.children.length < cells.length) strip.append(el("span"));
    cells.forEach((percent, i) => {
      const level = stripLevel(percent);
      const cell = strip.children[i];
      if (cell.dataset.level !== level) cell.dataset.level = level;
    });
  }

  function renderTorrents(torrents) {
    const body = $("torrents").tBodies[0];
    const existing = new Map([...body.rows].map((r) => [r.dataset.hash, r]));
    torrents.forEach((t, i) => {
      let row = existing.get(t.hash);
      existing.delete(t.hash);
      if (!row) row = torrentRow(t);
      updateTorrent(row, t);
      if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] ?? null);
    });
    for (const gone of existing.values()) gone.remove();
    $("no-torrents").hidden = torrents.length > 0;
    setText($("torrent-count"), torrents.length ? `(${torrents.length})` : "");
  }

  // ---- cluster ----------------------------------------------------------------------------------------------------

  function renderMembers(members) {
    const body = $("members").tBodies[0];
    $("standalone").hidden = members !== null;
    $("members").hidden = members === null;
    if (members === null) { body.replaceChildren(); return; }
    const rows = members.map((m) => {
      const name = el("th", { scope: "row" }, el("span", { class: "title", text: shortAddress(m.address) }));
      if (m.self) name.append(" ", el("span", { class: "tag", text: "this node" }));
      if (m.leader) name.append(" ", el("span", { class: "tag leader", text: "leader" }));
      const reach = m.reachable ? "reachable" : "unreachable";
      return el("tr", { "data-address": m.address, "data-status": m.status, "data-reachable": String(m.reachable) },
        name,
        el("td", {}, el("span", { class: "state", "data-state": m.status, text: m.status })),
        el("td", { class: "reachability" }, el("span", { class: `reach ${reach}`, text: reach })),
        el("td", { class: "num", text: String(m.torrents) }),
        el("td", { class: "num", text: String(m.complete) }));
    });
    body.replaceChildren(...rows);
    const up = members.filter((m) => m.status === "up" && m.reachable).length;
    setText($("member-count"), `(${up} of ${members.length} up)`);
  }

  function factorForm(r) {
    const input = el("input", { type: "number", min: "0", max: "100", step: "1", class: "factor-input", "aria-label": `Replication factor of ${r.name}` });
    input.value = String(r.factor);
    const form = el("form", { class: "factor" }, input, el("button", { type: "submit", class: "small", text: "Set", "aria-label": `Set the replication factor of ${r.name}` }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const factor = Number.parseInt(input.value, 10);
      if (!Number.isInteger(factor) || factor < 0 || factor > 100) {
        say("A replication factor is a whole number from 1 to 100 (0 = the cluster default).", "error");
        return;
      }
      if (await post(`/dashboard/torrents/${encodeURIComponent(r.hash)}/factor`, { factor })) delete input.dataset.dirty;
    });
    input.addEventListener("input", () => { input.dataset.dirty = "true"; });
    return form;
  }

  function renderReplicas(replicas, members) {
    const table = $("replicas");
    $("replicas-card").hidden = replicas === null;
    if (replicas === null) return;
    const columns = (members ?? []).map((m) => m.address);
    const usable = new Set((members ?? []).filter((m) => m.status === "up" && m.reachable).map((m) => m.address));
    const head = el("tr", {}, el("th", { scope: "col", text: "Torrent" }),
      ...columns.map((a) => el("th", { scope: "col", class: "member-col", title: a, text: shortAddress(a) })),
      el("th", { scope: "col", text: "Copies" }), el("th", { scope: "col", text: "Factor" }));
    const headKey = columns.join(" ");
    if (table.tHead.dataset.key !== headKey) {
      table.tHead.replaceChildren(head);
      table.tHead.dataset.key = headKey;
      table.tBodies[0].replaceChildren();
    }
    const body = table.tBodies[0];
    const existing = new Map([...body.rows].map((r) => [r.dataset.hash, r]));
    replicas.forEach((r, i) => {
      let row = existing.get(r.hash);
      existing.delete(r.hash);
      if (!row) {
        row = el("tr", { "data-hash": r.hash },
          el("th", { scope: "row", class: "name" }, el("span", { class: "title" })),
          ...columns.map(() => el("td", { class: "holder" })),
          el("td", { class: "copies" }),
          el("td", {}, factorForm(r)));
      }
      row.classList.toggle("under", r.underReplicated);
      row.dataset.complete = String(r.complete);
      row.dataset.factor = String(r.factor);
      setText(row.querySelector(".title"), r.name);
      columns.forEach((a, c) => {
        const cell = row.querySelectorAll(".holder")[c];
        const holds = r.members.includes(a);
        const label = holds ? (usable.has(a) ? "holds" : "holds (unavailable)") : "";
        if (cell.dataset.label !== label) {
          cell.dataset.label = label;
          cell.replaceChildren(holds
            ? el("span", { class: `pip ${usable.has(a) ? "ok" : "lost"}`, role: "img", "aria-label": `${shortAddress(a)} ${label}` })
            : "");
        }
      });
      const copies = row.querySelector(".copies");
      const text = `${r.complete} / ${r.factor}`;
      if (copies.dataset.text !== text + r.underReplicated) {
        copies.dataset.text = text + r.underReplicated;
        copies.replaceChildren(el("span", { class: "copies-count", text }),
          ...(r.underReplicated ? [" ", el("span", { class: "tag warn", text: "under-replicated" })] : []));
      }
      const input = row.querySelector(".factor-input");
      if (document.activeElement !== input && !input.dataset.dirty) input.value = String(r.factor);
      if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] ?? null);
    });
    for (const gone of existing.values()) gone.remove();
    $("no-replicas").hidden = replicas.length > 0;
  }

  // ---- the node -------------------------------------------------------------------------------------------------

  function renderNode(n) {
    setText($("node-id"), n.id.slice(0, 12));
    $("node-id").title = n.id;
    setText($("node-down"), rate(n.downloadRate));
    setText($("node-up"), rate(n.uploadRate));
    setText($("node-peers"), String(n.peers));
    setText($("node-disk"), n.freeDisk == null ? "–" : bytes(n.freeDisk));
    setText($("node-uptime"), uptime(n.uptimeMinutes));
    setText($("node-role"), n.role.split(";")[0]);
    $("node-role").title = n.role;
    setText($("node-version"), `swarm ${n.version}`);
  }

  function render(s) {
    if (s.error) {
      connection("stale", `Node busy: ${s.error}`);
      return;
    }
    lastSnapshot = s;
    connection("live", "Live");
    renderNode(s.node);
    renderTorrents(s.torrents);
    renderMembers(s.cluster ?? null);
    renderReplicas(s.replicas ?? null, s.cluster ?? null);
    document.body.dataset.ready = "true";
  }

  function connection(state, text) {
    $("connection").dataset.state = state;
    setText($("connection-text"), text);
  }

  // ---- the stream -----------------------------------------------------------------------------------------------

  const events = new EventSource("/dashboard/events");
  events.addEventListener("token", (e) => { token = e.data; });
  events.addEventListener("snapshot", (e) => render(JSON.parse(e.data)));
  events.addEventListener("open", () => { if (lastSnapshot) connection("live", "Live"); });
  events.addEventListener("error", () => {
    // EventSource reconnects by itself (after the retry the node set); the page keeps its last view meanwhile.
    connection("offline", "Reconnecting…");
  });
})();
