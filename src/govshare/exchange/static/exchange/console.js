// The API console (接口调试): tries a call under a grant, from the browser to the gateway.
//
// The page (exchange/console/console.html) carries the call's shape in a JSON block written by
// json_script (#gs-console-config: gateway path, method, endpoint path, granted items, parameter
// names). The app key and secret typed in are sent to <gateway>/token only — same origin, no
// cookies — and never to the Django server; the token is kept in memory until it expires.
// No inline script (CSP).
(function () {
  "use strict";

  const SHOWN_HEADERS = ["X-Request-Id", "X-End-User", "X-Case-Number", "Retry-After", "Content-Type"];
  let cached = null; // {appKey, token, expires}

  function readConfig() {
    const block = document.getElementById("gs-console-config");
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
  }

  // A header value as the bytes of its UTF-8 form: fetch only sends ISO-8859-1 code points, and
  // the gateway reads X-End-User and X-Case-Number as UTF-8.
  function headerBytes(text) {
    return Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join("");
  }

  // And back: a header the gateway echoes (经办人, 办件编号) arrives as those bytes, one code
  // point each; shown as sent when they are UTF-8, else as they came.
  function headerText(value) {
    if ([...value].some((char) => char.charCodeAt(0) > 255)) return value;
    try {
      const bytes = Uint8Array.from(value, (char) => char.charCodeAt(0));
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return value;
    }
  }

  function shellQuote(text) {
    return `'${String(text).replace(/'/g, "'\\''")}'`;
  }

  function values(form) {
    const params = [];
    form.querySelectorAll("[data-console-param]").forEach((input) => {
      if (input.value.trim()) params.push([input.dataset.consoleParam, input.value.trim()]);
    });
    const free = form.querySelector("[data-console-free]");
    if (free) {
      free.value.split("\n").forEach((line) => {
        const at = line.indexOf("=");
        if (at > 0) params.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
      });
    }
    const paging = [];
    form.querySelectorAll("[data-console-paging]").forEach((input) => {
      if (input.value.trim()) paging.push([input.dataset.consolePaging, input.value.trim()]);
    });
    const headers = {};
    form.querySelectorAll("[data-console-header]").forEach((input) => {
      if (input.value.trim()) headers[input.dataset.consoleHeader] = input.value.trim();
    });
    const items = Array.from(document.querySelectorAll("[data-console-item]:checked"), (box) => box.dataset.consoleItem);
    return { params, paging, headers, items };
  }

  // The query string's pairs: key parameters, the items asked for, paging.
  function pairs(call) {
    const all = call.params.slice();
    if (call.items.length) all.push(["items", call.items.join(",")]);
    return all.concat(call.paging);
  }

  function curl(config, call, appKey) {
    const origin = window.location.origin;
    const lines = [
      `export APP_KEY=${shellQuote(appKey || "<app key>")} APP_SECRET='<app secret>'`,
      `TOKEN=$(curl -s -X POST ${shellQuote(origin + config.gateway + "/token")} \\`,
      "  -H 'Content-Type: application/json' \\",
      "  -d '{\"app_key\":\"'\"$APP_KEY\"'\",\"app_secret\":\"'\"$APP_SECRET\"'\"}' \\",
      "  | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
    ];
    const url = origin + config.path;
    if (config.method === "POST") {
      lines.push(`curl -s -X POST ${shellQuote(url)} -H "Authorization: Bearer $TOKEN" \\`);
      lines.push(`  -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(Object.fromEntries(call.params)))}`);
    } else {
      lines.push(`curl -s -G ${shellQuote(url)} -H "Authorization: Bearer $TOKEN"`);
      pairs(call).forEach(([name, value]) => {
        lines[lines.length - 1] += " \\";
        lines.push(`  --data-urlencode ${shellQuote(`${name}=${value}`)}`);
      });
    }
    Object.entries(call.headers).forEach(([name, value]) => {
      lines[lines.length - 1] += " \\";
      lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
    });
    return lines.join("\n");
  }

  async function token(config, appKey, appSecret) {
    if (cached && cached.appKey === appKey && cached.expires > Date.now()) return { token: cached.token };
    const response = await fetch(`${config.gateway}/token`, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ app_key: appKey, app_secret: appSecret }),
    });
    if (!response.ok) return { failed: response };
    const body = await response.json();
    // Renew 30 seconds early so that a call never leaves with a token about to expire.
    const lifetime = Math.max(0, (Number(body.expires_in) || 0) - 30) * 1000;
    cached = { appKey, token: body.access_token, expires: Date.now() + lifetime };
    return { token: body.access_token };
  }

  async function send(config, call, accessToken) {
    const headers = { Authorization: `Bearer ${accessToken}` };
    Object.entries(call.headers).forEach(([name, value]) => { headers[name] = headerBytes(value); });
    const init = { method: config.method, credentials: "omit", headers };
    let url = config.path;
    if (config.method === "POST") {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(Object.fromEntries(call.params));
    } else {
      const search = new URLSearchParams(pairs(call)).toString();
      if (search) url += `?${search}`;
    }
    return fetch(url, init);
  }

  async function show(response) {
    const panel = document.getElementById("gs-console-response");
    const status = document.getElementById("gs-console-status");
    const list = document.getElementById("gs-console-headers");
    const body = document.getElementById("gs-console-body");
    panel.classList.remove("d-none");
    status.textContent = `${response.status} ${response.statusText}`;
    status.className = `badge ${response.ok ? "text-bg-success" : response.status < 500 ? "text-bg-warning" : "text-bg-danger"}`;
    list.replaceChildren();
    SHOWN_HEADERS.forEach((name) => {
      const value = response.headers.get(name);
      if (value === null) return;
      const term = document.createElement("dt");
      term.className = "col-sm-3 gs-mono";
      term.textContent = name;
      const detail = document.createElement("dd");
      detail.className = "col-sm-9 gs-mono";
      detail.textContent = headerText(value);
      list.append(term, detail);
    });
    const text = await response.text();
    try {
      body.textContent = JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      body.textContent = text;
    }
  }

  function init() {
    const config = readConfig();
    const form = document.getElementById("gs-console-form");
    if (!config || !form) return;
    const state = document.getElementById("gs-console-state");
    const appKey = document.getElementById("gs-console-app-key");
    const appSecret = document.getElementById("gs-console-app-secret");
    const curlBlock = document.getElementById("gs-console-curl");
    const refreshCurl = () => { curlBlock.textContent = curl(config, values(form), appKey.value.trim()); };
    form.addEventListener("input", refreshCurl);
    document.querySelectorAll("[data-console-item]").forEach((box) => box.addEventListener("change", refreshCurl));
    refreshCurl();

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const button = document.getElementById("gs-console-send");
      button.disabled = true;
      state.textContent = state.dataset.sending;
      try {
        const issued = await token(config, appKey.value.trim(), appSecret.value);
        await show(issued.failed || (await send(config, values(form), issued.token)));
        state.textContent = "";
      } catch (error) {
        state.textContent = state.dataset.failed;
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
