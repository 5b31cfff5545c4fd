/* newsflow worker dashboard.
 *
 * Reads api/overview (a relative URL, so the page works behind a reverse proxy's path
 * prefix) every 2 s and draws it with DOM calls only: every text from the worker goes
 * through textContent or setAttribute, never innerHTML, so a page title, a dead-letter
 * message or a site name cannot inject markup. No framework, nothing fetched from
 * elsewhere; the page also runs under a strict Content-Security-Policy (no inline
 * script or style attribute is used).
 */
"use strict";

(() => {
  const REFRESH_MS = 2000;
  const TIMEOUT_MS = 5000;
  const TOKEN_KEY = "newsflow.token";
  const SORT_KEY = "newsflow.sort";
  const SVG_NS = "http://www.w3.org/2000/svg";

  // ---------------------------------------------------------------- storage

  // sessionStorage may be unavailable (privacy modes): fall back to memory.
  const memory = new Map();
  const store = {
    get(key) {
      try {
        return window.sessionStorage.getItem(key);
      } catch (_err) {
        return memory.has(key) ? memory.get(key) : null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        window.sessionStorage.setItem(key, value);
      } catch (_err) {
        /* memory only */
      }
    },
  };

  /* The token arrives as #token=... (the fragment never reaches a server log); it is
   * kept for this tab and removed from the address bar so it is not shared along with
   * a copied link or a screenshot. */
  function takeTokenFromFragment() {
    const hash = window.location.hash.replace(/^#/, "");
    if (!hash) return false;
    const params = new URLSearchParams(hash);
    const token = params.get("token");
    if (!token) return false;
    store.set(TOKEN_KEY, token);
    params.delete("token");
    const rest = params.toString();
    const url = window.location.pathname + window.location.search + (rest ? "#" + rest : "");
    try {
      window.history.replaceState(null, "", url);
    } catch (_err) {
      /* leave the address bar as it is */
    }
    return true;
  }

  // ---------------------------------------------------------------- DOM helpers

  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      for (const c of child) append(parent, c);
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }

  /* el("td", {class: "num", dir: "auto"}, "text", node...): attributes via setAttribute,
   * children as text nodes: the only way this script puts data into the page. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function setText(id, text) {
    const node = byId(id);
    if (node) node.textContent = text;
  }

  // ---------------------------------------------------------------- formatting

  const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const dec1Fmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const DASH = "–";

  function num(value) {
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  }

  function fmtInt(value) {
    const v = num(value);
    return v === null ? DASH : intFmt.format(v);
  }

  function fmtBytes(value) {
    const v = num(value);
    if (v === null) return DASH;
    const units = ["B", "kB", "MB", "GB", "TB"];
    let x = v;
    let i = 0;
    while (Math.abs(x) >= 1000 && i < units.length - 1) {
      x /= 1000;
      i += 1;
    }
    return (i === 0 ? intFmt.format(x) : dec1Fmt.format(x)) + " " + units[i];
  }

  function fmtRate(value) {
    const v = num(value);
    if (v === null) return DASH;
    return (v >= 100 ? intFmt.format(v) : v >= 10 ? dec1Fmt.format(v) : v.toFixed(2)) + "/s";
  }

  function fmtLatency(seconds) {
    const v = num(seconds);
    if (v === null) return DASH;
    if (v < 0.01) return (v * 1000).toFixed(1) + " ms";
    if (v < 1) return intFmt.format(v * 1000) + " ms";
    if (v < 60) return v.toFixed(2) + " s";
    return dec1Fmt.format(v / 60) + " min";
  }

  /* Article ages run from seconds (a live feed) to years (an archive crawl). */
  function fmtAge(seconds) {
    const v = num(seconds);
    if (v === null) return DASH;
    if (v < 10) return v.toFixed(1) + " s";
    if (v < 60) return Math.round(v) + " s";
    if (v < 3600) return dec1Fmt.format(v / 60) + " min";
    if (v < 172800) return dec1Fmt.format(v / 3600) + " h";
    if (v < 63072000) return dec1Fmt.format(v / 86400) + " d";
    return dec1Fmt.format(v / 31536000) + " y";
  }

  function fmtAgo(seconds) {
    const v = num(seconds);
    if (v === null) return DASH;
    const s = Math.max(0, v);
    if (s < 1) return "now";
    if (s < 60) return Math.floor(s) + " s ago";
    if (s < 3600) return Math.floor(s / 60) + " min ago";
    if (s < 86400) return Math.floor(s / 3600) + " h ago";
    return Math.floor(s / 86400) + " d ago";
  }

  function fmtSpan(seconds) {
    const v = num(seconds);
    if (v === null) return DASH;
    const s = Math.floor(v);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
  }

  function fmtPct(ratio) {
    const v = num(ratio);
    return v === null ? DASH : Math.round(v * 100) + "%";
  }

  function fmtClock(epochSeconds) {
    const v = num(epochSeconds);
    if (v === null) return "";
    return new Date(v * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  /* "0, 1, 2, 3, 7" -> "0–3, 7": partition lists stay short. */
  function fmtPartitions(list) {
    const parts = (Array.isArray(list) ? list : []).filter((p) => num(p) !== null);
    parts.sort((a, b) => a - b);
    const out = [];
    let i = 0;
    while (i < parts.length) {
      let j = i;
      while (j + 1 < parts.length && parts[j + 1] === parts[j] + 1) j += 1;
      out.push(j > i ? parts[i] + "–" + parts[j] : String(parts[i]));
      i = j + 1;
    }
    return out.length ? out.join(", ") : DASH;
  }

  function sum(values) {
    let total = 0;
    for (const v of Array.isArray(values) ? values : []) total += num(v) || 0;
    return total;
  }

  // ---------------------------------------------------------------- clock

  /* Ages are computed on the worker's clock: the skew between the worker's
   * generated_at and this browser's clock is measured at every answer, and the time
   * spent since that answer is added, so "last seen" keeps growing while the worker
   * does not answer. */
  let received = null; // {clientMs, generatedAt}

  function workerNow() {
    if (!received) return Date.now() / 1000;
    return received.generatedAt + (Date.now() - received.clientMs) / 1000;
  }

  function ageOf(epochSeconds) {
    const v = num(epochSeconds);
    return v === null ? null : workerNow() - v;
  }

  function ageOfIso(text) {
    if (typeof text !== "string") return null;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : workerNow() - ms / 1000;
  }

  // ---------------------------------------------------------------- small widgets

  function sparkline(values, label, width = 120, height = 24) {
    const series = (Array.isArray(values) ? values : []).map((v) => num(v) || 0);
    const node = svg("svg", {
      class: "spark",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": label,
      preserveAspectRatio: "none",
    });
    node.appendChild(svg("title", null, label));
    if (series.length === 0) return node;
    const max = Math.max(...series, 1);
    const pad = 2;
    const n = series.length;
    const x = (i) => (n === 1 ? width - pad : pad + (i * (width - 2 * pad)) / (n - 1));
    const y = (v) => height - pad - (v / max) * (height - 2 * pad);
    const points = series.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    const first = x(0).toFixed(1);
    const last = x(n - 1).toFixed(1);
    node.appendChild(
      svg("path", {
        class: "spark-area",
        d: `M${first},${height} L${points.join(" L")} L${last},${height} Z`,
      }),
    );
    node.appendChild(svg("polyline", { class: "spark-line", points: points.join(" ") }));
    node.appendChild(
      svg("circle", { class: "spark-dot", cx: last, cy: y(series[n - 1]).toFixed(1), r: 2 }),
    );
    return node;
  }

  function chips(counts, cls) {
    const entries = Object.entries(counts && typeof counts === "object" ? counts : {});
    entries.sort((a, b) => (num(b[1]) || 0) - (num(a[1]) || 0));
    if (!entries.length) return el("span", { class: "muted" }, DASH);
    return el(
      "span",
      { class: "chips" },
      entries.map(([kind, count]) =>
        el("span", { class: "chip " + (cls || "") }, kind, " ", el("b", null, fmtInt(count))),
      ),
    );
  }

  function fillBar(ratio, alert) {
    const v = num(ratio);
    const bar = el("span", { class: "bar" });
    const inner = el("span", { class: "bar-fill" });
    inner.style.setProperty("width", v === null ? "0%" : Math.round(Math.min(1, v) * 100) + "%");
    bar.appendChild(inner);
    const level = v === null ? "" : v >= 0.9 ? "hi" : v >= 0.5 ? "mid" : "lo";
    const parts = [bar, el("span", { class: "bar-text" }, fmtPct(v))];
    if (alert) {
      parts.push(
        el("span", { class: "bar-recent", title: alert.message || "" }, "now " + fmtPct(alert.recent)),
      );
    }
    return el("span", { class: "fill fill-" + (alert ? "alert" : level) }, parts);
  }

  function pill(ok, yes, no) {
    return el("span", { class: "pill " + (ok ? "pill-ok" : "pill-bad") }, ok ? yes : no);
  }

  function muted(text) {
    return el("span", { class: "muted" }, text);
  }

  // ---------------------------------------------------------------- sortable tables

  /* Sort state per table, kept across refreshes and reloads of this tab. */
  let sortState = {};
  try {
    sortState = JSON.parse(store.get(SORT_KEY) || "{}") || {};
  } catch (_err) {
    sortState = {};
  }

  function compareBy(column, dir) {
    const sign = dir === "asc" ? 1 : -1;
    const key = column.sort || column.value;
    if (column.num) {
      return (a, b) => {
        const x = num(key(a));
        const y = num(key(b));
        if (x === null && y === null) return 0;
        if (x === null) return 1; // missing values last either way
        if (y === null) return -1;
        return sign * (x - y);
      };
    }
    return (a, b) => {
      const x = key(a);
      const y = key(b);
      const xs = x === null || x === undefined ? "" : String(x);
      const ys = y === null || y === undefined ? "" : String(y);
      if (!xs && !ys) return 0;
      if (!xs) return 1;
      if (!ys) return -1;
      return sign * collator.compare(xs, ys);
    };
  }

  /* Numbers line up on the right unless the column asks otherwise (align: "start"). */
  function alignEnd(column) {
    return Boolean(column.num) && column.align !== "start";
  }

  /* columns: [{key, label, num?, align?, bidi?, value(row), sort?(row), render?(row), title?(row),
   *            cls?(row)}]; opts: {empty, rowClass?(row), caption}. */
  function renderTable(hostId, columns, rows, opts = {}) {
    const host = byId(hostId);
    if (!host) return;
    const list = Array.isArray(rows) ? rows.slice() : [];
    const state = sortState[hostId];
    const active = state && columns.find((c) => c.key === state.key);
    if (active) list.sort(compareBy(active, state.dir));

    const table = el("table", { id: hostId + "-table", class: "data" });
    if (opts.caption) table.appendChild(el("caption", { class: "sr-only" }, opts.caption));
    const headRow = el("tr");
    for (const column of columns) {
      const sorted = active && active.key === column.key ? state.dir : null;
      const th = el("th", {
        scope: "col",
        class: (alignEnd(column) ? "num" : "") + (sorted ? " sorted" : ""),
        "data-key": column.key,
        "aria-sort": sorted ? (sorted === "asc" ? "ascending" : "descending") : "none",
      });
      const button = el(
        "button",
        { type: "button", class: "sort", title: "Sort by " + column.label },
        column.label,
        el("span", { class: "sort-mark", "aria-hidden": "true" }, sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""),
      );
      button.addEventListener("click", () => {
        const current = sortState[hostId];
        let dir = column.num ? "desc" : "asc";
        if (current && current.key === column.key) dir = current.dir === "asc" ? "desc" : "asc";
        sortState[hostId] = { key: column.key, dir };
        store.set(SORT_KEY, JSON.stringify(sortState));
        renderAll();
        const again = document.querySelector(`#${hostId}-table th[data-key="${column.key}"] button`);
        if (again) again.focus();
      });
      th.appendChild(button);
      headRow.appendChild(th);
    }
    table.appendChild(el("thead", null, headRow));

    const body = el("tbody");
    if (list.length === 0) {
      body.appendChild(
        el("tr", { class: "empty" }, el("td", { colspan: columns.length }, opts.empty || "Nothing yet.")),
      );
    }
    for (const row of list) {
      const tr = el("tr", { class: opts.rowClass ? opts.rowClass(row) : null });
      for (const column of columns) {
        const extra = column.cls ? column.cls(row) : "";
        const td = el("td", {
          class: ((alignEnd(column) ? "num " : "") + (extra || "")).trim() || null,
          dir: column.bidi ? "auto" : column.ltr ? "ltr" : null,
          title: column.title ? column.title(row) : null,
          "data-key": column.key,
        });
        if (column.render) {
          append(td, column.render(row));
        } else {
          const v = column.value(row);
          td.textContent = v === null || v === undefined || v === "" ? DASH : String(v);
        }
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    table.appendChild(body);

    // Keep the reader's scroll position inside the table across refreshes.
    const { scrollTop, scrollLeft } = host;
    host.replaceChildren(table);
    host.scrollTop = scrollTop;
    host.scrollLeft = scrollLeft;
  }

  // ---------------------------------------------------------------- sections

  function latencyColumn(which) {
    return {
      key: "latency_" + which,
      label: which,
      num: true,
      value: (r) => num(r.latency_s && r.latency_s[which]),
      render: (r) => fmtLatency(r.latency_s && r.latency_s[which]),
    };
  }

  function countColumns() {
    return [
      { key: "in", label: "In", num: true, value: (r) => num(r.in), render: (r) => fmtInt(r.in) },
      { key: "ok", label: "OK", num: true, value: (r) => num(r.ok), render: (r) => fmtInt(r.ok) },
      {
        key: "dead",
        label: "Dead",
        num: true,
        value: (r) => num(r.dead),
        render: (r) => fmtInt(r.dead),
        cls: (r) => ((num(r.dead) || 0) > 0 ? "bad" : ""),
      },
      {
        key: "dead_by_kind",
        label: "Dead by kind",
        value: (r) => Object.keys(r.dead_by_kind || {}).sort().join(" "),
        render: (r) => chips(r.dead_by_kind, "chip-bad"),
      },
    ];
  }

  function lastSeenColumn() {
    return {
      key: "last_seen",
      label: "Last seen",
      num: true,
      value: (r) => num(r.last_seen),
      render: (r) => fmtAgo(ageOf(r.last_seen)),
      title: (r) => fmtClock(r.last_seen),
    };
  }

  function renderStages(stages) {
    renderTable(
      "stages",
      [
        { key: "stage", label: "Stage", bidi: true, value: (r) => r.stage },
        ...countColumns(),
        { key: "unchanged", label: "Unchanged", num: true, value: (r) => num(r.unchanged), render: (r) => fmtInt(r.unchanged) },
        { key: "bytes", label: "Bytes", num: true, value: (r) => num(r.bytes), render: (r) => fmtBytes(r.bytes), title: (r) => fmtInt(r.bytes) + " bytes" },
        lastSeenColumn(),
        { key: "rate", label: "Rate", num: true, value: (r) => num(r.rate_per_s), render: (r) => fmtRate(r.rate_per_s) },
        latencyColumn("p50"),
        latencyColumn("p95"),
        latencyColumn("p99"),
        ...(Array.isArray(stages) && stages.some((r) => r && r.age_s)
          ? [
              {
                key: "age",
                label: "Age p50 / p95",
                num: true,
                value: (r) => num(r.age_s && r.age_s.p95),
                render: (r) =>
                  r.age_s ? `${fmtAge(r.age_s.p50)} / ${fmtAge(r.age_s.p95)}` : DASH,
                title: () => "seconds from the page's fetch to the end of this stage",
              },
            ]
          : []),
        {
          key: "per_minute",
          label: "Last hour",
          num: true,
          value: (r) => sum(r.per_minute),
          render: (r) => {
            const series = Array.isArray(r.per_minute) ? r.per_minute : [];
            return sparkline(
              series,
              `${r.stage}: ${fmtInt(sum(series))} pages in the last ${series.length} min, ` +
                `${fmtInt(series.length ? series[series.length - 1] : 0)} in the current one`,
            );
          },
        },
      ],
      stages,
      { caption: "Pages per stage", empty: "No stage has seen a page yet." },
    );
  }

  function renderSites(sites) {
    renderTable(
      "sites",
      [
        { key: "site", label: "Site", bidi: true, value: (r) => r.site },
        { key: "stage", label: "Stage", bidi: true, value: (r) => r.stage },
        ...countColumns(),
        {
          key: "dead_share",
          label: "Dead %",
          num: true,
          value: (r) => ((num(r.in) || 0) > 0 ? (num(r.dead) || 0) / r.in : null),
          render: (r) => ((num(r.in) || 0) > 0 ? fmtPct((num(r.dead) || 0) / r.in) : DASH),
        },
        { key: "bytes", label: "Bytes", num: true, value: (r) => num(r.bytes), render: (r) => fmtBytes(r.bytes), title: (r) => fmtInt(r.bytes) + " bytes" },
        lastSeenColumn(),
      ],
      sites,
      { caption: "Pages per site and stage", empty: "No site seen yet." },
    );
  }

  const FILL_ORDER = ["title", "date", "authors", "lead"];

  function renderQuality(quality) {
    const rows = Array.isArray(quality) ? quality : [];
    const fields = [...FILL_ORDER];
    for (const row of rows) {
      for (const field of Object.keys(row.fill || {})) if (!fields.includes(field)) fields.push(field);
    }
    const alertOf = (row, field) =>
      (Array.isArray(row.alerts) ? row.alerts : []).find((a) => a && a.field === field) || null;

    const alertList = byId("quality-alerts");
    const items = [];
    for (const row of rows) {
      for (const alert of Array.isArray(row.alerts) ? row.alerts : []) {
        items.push(
          el(
            "li",
            { class: "alert" },
            el("span", { class: "alert-icon", "aria-hidden": "true" }, "!"),
            el("strong", { dir: "auto" }, row.site),
            el("span", { class: "alert-field" }, alert.field),
            el("span", { dir: "auto", class: "alert-message" }, alert.message || ""),
          ),
        );
      }
    }
    alertList.replaceChildren(...items);
    alertList.hidden = items.length === 0;

    renderTable(
      "quality",
      [
        { key: "site", label: "Site", bidi: true, value: (r) => r.site },
        { key: "pages", label: "Pages", num: true, value: (r) => num(r.pages), render: (r) => fmtInt(r.pages) },
        ...fields.map((field) => ({
          key: "fill_" + field,
          label: field[0].toUpperCase() + field.slice(1),
          num: true,
          value: (r) => num(r.fill && r.fill[field]),
          render: (r) => fillBar(r.fill && r.fill[field], alertOf(r, field)),
          cls: (r) => (alertOf(r, field) ? "cell-alert" : ""),
          title: (r) => {
            const alert = alertOf(r, field);
            return alert ? alert.message || "" : null;
          },
        })),
        {
          key: "body",
          label: "Body chars p10 / p50 / p90",
          num: true,
          value: (r) => num(r.body_chars && r.body_chars.p50),
          render: (r) => {
            const b = r.body_chars || {};
            return el(
              "span",
              { class: "triple" },
              el("span", { class: "muted" }, fmtInt(b.p10)),
              " / ",
              el("b", null, fmtInt(b.p50)),
              " / ",
              el("span", { class: "muted" }, fmtInt(b.p90)),
            );
          },
        },
        {
          key: "languages",
          label: "Languages",
          value: (r) => Object.keys(r.languages || {}).sort().join(" "),
          render: (r) => chips(r.languages, "chip-lang"),
        },
        {
          key: "alerts",
          label: "Alerts",
          bidi: true,
          value: (r) => (Array.isArray(r.alerts) ? r.alerts.map((a) => a.message || a.field).join(" ") : ""),
          render: (r) => {
            const alerts = Array.isArray(r.alerts) ? r.alerts : [];
            if (!alerts.length) return muted("none");
            return alerts.map((a) => el("div", { class: "alert-text", dir: "auto" }, a.message || a.field));
          },
        },
      ],
      rows,
      {
        caption: "Share of pages with each field filled, per site",
        empty: "No page parsed yet.",
        rowClass: (r) => (Array.isArray(r.alerts) && r.alerts.length ? "row-alert" : null),
      },
    );
  }

  function renderTrending(trending) {
    const t = trending && typeof trending === "object" ? trending : {};
    const hours = Array.isArray(t.hours) ? t.hours : [];
    setText(
      "trending-window",
      hours.length
        ? `per hour, ${hours.length} h from ${fmtClock(hours[0]).slice(11, 16)} UTC, the last hour still open`
        : "",
    );
    const table = (hostId, rows, withType) => {
      const columns = [
        {
          key: "name",
          label: "Name",
          bidi: true,
          value: (r) => r.name || r.id,
          title: (r) => (r.id && r.id !== r.name ? r.id : null),
        },
      ];
      if (withType) columns.push({ key: "type", label: "Type", value: (r) => r.type, render: (r) => el("span", { class: "tag tag-" + String(r.type || "").toLowerCase() }, r.type || DASH) });
      columns.push(
        { key: "count", label: "This hour", num: true, value: (r) => num(r.count), render: (r) => fmtInt(r.count) },
        {
          key: "series",
          label: hours.length ? `Last ${hours.length} h` : "Hours",
          num: true,
          value: (r) => sum(r.series),
          render: (r) => {
            const series = Array.isArray(r.series) ? r.series : [];
            const peak = series.length ? Math.max(...series.map((v) => num(v) || 0)) : 0;
            return sparkline(
              series,
              `${r.name || r.id}: ${fmtInt(sum(series))} in ${series.length} h, peak ${fmtInt(peak)} per hour`,
              110,
              22,
            );
          },
        },
      );
      renderTable(hostId, columns, rows, { caption: "Trending " + hostId.replace("trending-", ""), empty: "Nothing this hour." });
    };
    table("trending-entities", t.entities, true);
    table("trending-categories", t.categories, false);
    table("trending-routes", t.routes, false);
  }

  function renderLag(lag) {
    const host = byId("lag");
    const rows = [];
    const errors = [];
    if (lag && typeof lag === "object") {
      if (typeof lag.error === "string") {
        errors.push(lag.error);
      } else {
        for (const [group, info] of Object.entries(lag)) {
          if (!info || typeof info !== "object") continue;
          if (typeof info.error === "string") errors.push(group + ": " + info.error);
          for (const p of Array.isArray(info.partitions) ? info.partitions : []) rows.push({ group, ...p });
        }
      }
    }
    renderTable(
      "lag",
      [
        { key: "group", label: "Group", bidi: true, value: (r) => r.group },
        { key: "topic", label: "Topic", bidi: true, value: (r) => r.topic },
        { key: "partition", label: "Part.", num: true, value: (r) => num(r.partition), render: (r) => fmtInt(r.partition) },
        { key: "committed", label: "Committed", num: true, value: (r) => num(r.committed), render: (r) => fmtInt(r.committed) },
        { key: "end", label: "End", num: true, value: (r) => num(r.end), render: (r) => fmtInt(r.end) },
        {
          key: "lag",
          label: "Lag",
          num: true,
          value: (r) => num(r.lag),
          render: (r) => fmtInt(r.lag),
          cls: (r) => ((num(r.lag) || 0) > 0 ? "warn" : ""),
        },
      ],
      rows,
      { caption: "Consumer lag per partition", empty: errors.length ? "Lag unavailable." : "No committed offsets yet." },
    );
    if (errors.length) {
      host.prepend(el("p", { class: "inline-error", dir: "auto" }, errors.join("; ")));
    }
  }

  function totalLag(lag) {
    if (!lag || typeof lag !== "object" || typeof lag.error === "string") return null;
    let total = 0;
    let any = false;
    for (const info of Object.values(lag)) {
      if (info && num(info.total) !== null) {
        total += info.total;
        any = true;
      }
    }
    return any ? total : null;
  }

  function renderWorker(worker, rules) {
    const w = worker && typeof worker === "object" ? worker : {};
    const state = byId("worker-state");
    if (w.ready === true) {
      state.className = "pill pill-ok";
      state.textContent = "ready";
    } else if (w.ready === false) {
      state.className = "pill pill-bad";
      state.textContent = "not ready";
    } else {
      state.className = "pill pill-unknown";
      state.textContent = "unknown";
    }
    setText("uptime", fmtSpan(w.uptime_s));
    const version = rules && typeof rules.version === "string" ? rules.version : DASH;
    setText("rules-version", version);
    const routes = rules && Array.isArray(rules.routes) ? rules.routes : [];
    byId("rules-version").setAttribute("title", routes.length ? "routes: " + routes.join(", ") : "");

    const reasons = Array.isArray(w.reasons) ? w.reasons : [];
    byId("worker-reasons").replaceChildren(
      ...reasons.map((reason) => el("li", { dir: "auto" }, String(reason))),
    );

    const assigned = w.assigned && typeof w.assigned === "object" ? w.assigned : {};
    renderTable(
      "assignment",
      [
        { key: "topic", label: "Topic", bidi: true, value: (r) => r.topic },
        { key: "count", label: "Partitions", num: true, value: (r) => r.partitions.length, render: (r) => fmtInt(r.partitions.length) },
        { key: "partitions", label: "Assigned", value: (r) => fmtPartitions(r.partitions) },
      ],
      Object.entries(assigned).map(([topic, partitions]) => ({
        topic,
        partitions: Array.isArray(partitions) ? partitions : [],
      })),
      { caption: "Partitions assigned to this worker", empty: "No partition assigned." },
    );

    const processes = Array.isArray(w.processes) ? w.processes : [];
    const procHost = byId("processes");
    if (processes.length <= 1) {
      procHost.replaceChildren();
      return;
    }
    renderTable(
      "processes",
      [
        { key: "n", label: "Process", num: true, align: "start", value: (r) => r.n, render: (r) => "#" + r.n },
        { key: "ready", label: "State", value: (r) => (r.p.ready ? "ready" : "not ready"), render: (r) => pill(r.p.ready === true, "ready", "not ready") },
        {
          key: "assigned",
          label: "Assigned",
          bidi: true,
          value: (r) =>
            Object.entries(r.p.assigned || {})
              .map(([topic, parts]) => `${topic} ${fmtPartitions(parts)}`)
              .join("; ") || (r.p.error ? String(r.p.error) : ""),
        },
      ],
      processes.map((p, i) => ({ n: i + 1, p: p && typeof p === "object" ? p : {} })),
      { caption: "Pipeline processes" },
    );
  }

  function renderDeadLetters(deadLetters) {
    renderTable(
      "dead-letters",
      [
        {
          key: "failed_at",
          label: "Failed",
          num: true,
          value: (r) => {
            const ms = Date.parse(r.failed_at);
            return Number.isNaN(ms) ? null : ms;
          },
          render: (r) => fmtAgo(ageOfIso(r.failed_at)),
          title: (r) => r.failed_at || null,
        },
        { key: "stage", label: "Stage", bidi: true, value: (r) => r.stage },
        {
          key: "error_kind",
          label: "Kind",
          value: (r) => r.error_kind,
          render: (r) => el("span", { class: "chip chip-bad" }, r.error_kind || DASH),
        },
        { key: "site", label: "Site", bidi: true, value: (r) => r.site },
        { key: "message", label: "Reason", bidi: true, value: (r) => r.message, cls: () => "message" },
        {
          key: "url",
          label: "URL",
          ltr: true,
          value: (r) => r.url,
          cls: () => "url",
          title: (r) => r.url || null,
          render: (r) => {
            const url = typeof r.url === "string" ? r.url : "";
            if (!/^https?:\/\//i.test(url)) return url || DASH;
            return el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank" }, url);
          },
        },
        { key: "source", label: "Source", bidi: true, value: (r) => r.source },
        {
          key: "position",
          label: "Topic / part. @ offset",
          value: (r) => (r.topic ? `${r.topic} / ${fmtInt(r.partition)} @ ${fmtInt(r.offset)}` : ""),
          sort: (r) => `${r.topic || ""}\u0000${String(r.partition).padStart(6, "0")}\u0000${String(r.offset).padStart(15, "0")}`,
          title: (r) => (r.id ? "dead letter " + r.id : null),
        },
      ],
      deadLetters,
      { caption: "Most recent dead letters", empty: "No dead letter. " },
    );
  }

  function renderKpis(data) {
    const stages = Array.isArray(data.stages) ? data.stages : [];
    const first = stages[0];
    const last = stages[stages.length - 1];
    setText("kpi-in", first ? fmtInt(first.in) : DASH);
    setText("kpi-ok", last ? fmtInt(last.ok) : DASH);
    const okLabel = byId("kpi-ok").previousElementSibling;
    if (okLabel) okLabel.textContent = last ? `OK at ${last.stage}` : "OK";
    const dead = stages.reduce((acc, s) => acc + (num(s.dead) || 0), 0);
    setText("kpi-dead", stages.length ? fmtInt(dead) : DASH);
    byId("kpi-dead").classList.toggle("bad", dead > 0);
    setText("kpi-rate", first ? fmtRate(first.rate_per_s) : DASH);
    const lag = totalLag(data.lag);
    setText("kpi-lag", lag === null ? DASH : fmtInt(lag));
    byId("kpi-lag").classList.toggle("warn", (lag || 0) > 0);
    const alerts = (Array.isArray(data.quality) ? data.quality : []).reduce(
      (acc, q) => acc + (Array.isArray(q.alerts) ? q.alerts.length : 0),
      0,
    );
    setText("kpi-alerts", fmtInt(alerts));
    byId("kpi-alerts").classList.toggle("warn", alerts > 0);
  }

  // ---------------------------------------------------------------- state and polling

  let lastData = null;
  let failures = 0;
  let lastError = "";
  let lastOkMs = null;

  function renderAll() {
    if (!lastData) return;
    const d = lastData;
    const tablesError = typeof d.tables_error === "string" && d.tables_error ? d.tables_error : null;
    byId("banner-tables").hidden = tablesError === null;
    setText("banner-tables-detail", tablesError || "");
    renderKpis(d);
    renderWorker(d.worker, d.rules);
    renderStages(d.stages);
    renderSites(d.sites);
    renderQuality(d.quality);
    renderTrending(d.trending);
    renderLag(d.lag);
    renderDeadLetters(d.dead_letters);
  }

  function renderClock() {
    setText("updated", lastOkMs === null ? "never" : fmtAgo((Date.now() - lastOkMs) / 1000));
    const down = byId("banner-down");
    if (!down.hidden) {
      const since = lastOkMs === null ? "no answer yet" : "last answer " + fmtAgo((Date.now() - lastOkMs) / 1000);
      setText("banner-down-detail", `${since}; ${failures} failed ${failures === 1 ? "try" : "tries"} (${lastError}).`);
    }
  }

  function showDown(message) {
    failures += 1;
    lastError = message;
    byId("banner-down").hidden = false;
    document.body.classList.add("stale");
    try {
      renderAll(); // the last figures stay, their ages keep growing
    } catch (err) {
      console.error(err);
    }
    renderClock();
  }

  function showToken(refused) {
    const banner = byId("banner-token");
    banner.hidden = false;
    banner.classList.toggle("refused", refused);
    byId("banner-down").hidden = true;
    document.body.classList.add("stale");
    if (refused) {
      const p = banner.querySelector("p");
      if (p && !p.querySelector(".refused-note")) {
        p.appendChild(el("span", { class: "refused-note" }, " The token this tab holds was refused."));
      }
    }
  }

  async function refresh() {
    const token = store.get(TOKEN_KEY);
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch("api/overview", {
        headers,
        cache: "no-store",
        credentials: "same-origin",
        signal: controller.signal,
      });
    } catch (err) {
      window.clearTimeout(timer);
      showDown(err && err.name === "AbortError" ? "no answer within 5 s" : "connection failed");
      return;
    }
    try {
      if (response.status === 401) {
        showToken(Boolean(token));
        return;
      }
      if (!response.ok) {
        showDown(`HTTP ${response.status} ${response.statusText}`.trim());
        return;
      }
      let data;
      try {
        data = await response.json();
      } catch (_err) {
        showDown("the answer was not JSON");
        return;
      }
      if (!data || typeof data !== "object") {
        showDown("the answer was not an overview");
        return;
      }
      lastData = data;
      received = { clientMs: Date.now(), generatedAt: num(data.generated_at) || Date.now() / 1000 };
      lastOkMs = Date.now();
      failures = 0;
      byId("banner-down").hidden = true;
      byId("banner-token").hidden = true;
      document.body.classList.remove("stale");
      renderAll();
      renderClock();
      const beat = byId("heartbeat");
      beat.classList.remove("beat");
      void beat.offsetWidth; // restart the animation
      beat.classList.add("beat");
    } catch (err) {
      console.error(err);
      showDown("drawing failed: " + (err && err.message ? err.message : String(err)));
    } finally {
      window.clearTimeout(timer);
    }
  }

  let pollTimer = 0;
  let busy = false;

  async function tick() {
    if (busy) return;
    busy = true;
    window.clearTimeout(pollTimer);
    try {
      await refresh();
    } finally {
      busy = false;
      pollTimer = window.setTimeout(tick, REFRESH_MS);
    }
  }

  function start() {
    takeTokenFromFragment();
    window.addEventListener("hashchange", () => {
      if (takeTokenFromFragment()) tick();
    });
    byId("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = byId("token-input");
      const value = input.value.trim();
      if (!value) return;
      store.set(TOKEN_KEY, value);
      input.value = "";
      tick();
    });
    window.setInterval(() => {
      renderClock();
    }, 1000);
    tick();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
