(function () {
  "use strict";
  var RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var PAGE = 100;
  var CARDS = 50;

  // A large report carries its findings rows and cluster cards as data (reports/_html_data.py)
  // and draws them here when they are looked at; a small one has them all in its markup.
  var data = null;

  // Controls that need JavaScript are hidden in the markup and shown here.
  Array.prototype.forEach.call(document.querySelectorAll("[data-js]"), function (el) {
    el.hidden = false;
  });
  // Every copyable block gets its button (added here, so the file does not carry thousands).
  function addCopyButton(block) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    block.appendChild(button);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".copyable"), addCopyButton);

  // Copy buttons: the clipboard API where allowed, else a selection and execCommand.
  function flash(button, text) {
    button.textContent = text;
    button.setAttribute("data-copied", text === "Copied" ? "yes" : "no");
    window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
  }
  function copyBySelection(node, button) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    flash(button, done ? "Copied" : "Press Ctrl+C");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) { return; }
    var node = button.parentNode.querySelector("code");
    if (!node) { return; }
    var text = node.textContent;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(
        function () { flash(button, "Copied"); },
        function () { copyBySelection(node, button); }
      );
    } else {
      copyBySelection(node, button);
    }
  });

  // A finding's row brings in its rule's reason, help and sources when it is opened: they are
  // kept once per rule, in "Rules that ran", to keep large reports small (without script, the
  // row's link leads there).
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.open || !details.classList || !details.classList.contains("more")) { return; }
    var why = details.querySelector(".why");
    var row = details.closest("tr");
    if (!why || !row || why.querySelector(".help-slot")) { return; }
    var help = document.querySelector("#rule-" + CSS.escape(row.getAttribute("data-rule")) + " .help");
    if (!help) { return; }
    var reason = document.createElement("p");
    var label = document.createElement("strong");
    label.textContent = "Why:";
    reason.className = "reason";
    reason.appendChild(label);
    reason.appendChild(document.createTextNode(" " + help.querySelector(".desc").textContent));
    why.insertBefore(reason, why.firstChild);
    var slot = document.createElement("div");
    slot.className = "help-slot";
    var copy = help.cloneNode(true);
    // The reason is above, and the row gives the filled-in command.
    Array.prototype.forEach.call(copy.querySelectorAll(".desc, .remediation"), function (el) {
      el.remove();
    });
    slot.appendChild(copy);
    why.insertBefore(slot, why.querySelector(".rule-link"));
  }, true);

  // --- Drawing rows and cards from the data: text only, never markup, as the template writes
  // them (report.html.j2, macros finding_row and cluster_card). -----------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function str(index) { return index === undefined || index < 0 ? null : data.strings[index]; }
  function rid(index) { return data.ids[index].map(str).join("/"); }
  function add(parent, tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined && text !== null) { el.textContent = text; }
    if (parent) { parent.appendChild(el); }
    return el;
  }
  function addText(parent, text) { parent.appendChild(document.createTextNode(text)); }
  function addSvg(parent, tag, attributes) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { el.setAttribute(name, attributes[name]); });
    parent.appendChild(el);
    return el;
  }
  function addSeverity(parent, severity) { return add(parent, "span", "sev " + severity, severity); }
  function addRuleLink(parent, ruleId) {
    var a = add(parent, "a", null, ruleId);
    a.href = "#rule-" + ruleId;
    return a;
  }
  function addCopyable(parent, text) {
    var block = add(parent, "div", "copyable");
    add(add(block, "pre"), "code", null, text);
    addCopyButton(block);
  }
  function addTerm(dl, term, text, code) {
    add(dl, "dt", null, term);
    var dd = add(dl, "dd");
    if (code) { add(dd, "code", null, text); } else { dd.textContent = text; }
    return dd;
  }

  function findingRow(f) {
    var severity = SEVERITIES[f[0]], rule = data.rules[f[1]], ruleId = rule[0];
    var tr = add(null, "tr", "finding");
    tr.setAttribute("data-sev", severity);
    tr.setAttribute("data-rule", ruleId);
    tr.setAttribute("data-sub", str(f[2]) || "");
    addSeverity(add(tr, "td"), severity);
    var ruleCell = add(tr, "td");
    addRuleLink(ruleCell, ruleId);
    if (rule[1] !== null) { add(ruleCell, "small", null, rule[1]); }
    var resource = add(tr, "td");
    add(resource, "bdi", "name", str(f[3]));
    add(resource, "small", null, str(f[4]));
    var more = add(add(tr, "td"), "details", "more");
    add(more, "summary", null, str(f[5]));
    var why = add(more, "div", "why");
    var dl = add(why, "dl", "kv");
    add(addTerm(dl, "Resource", "", false), "code", "rid", rid(f[6]));
    if (str(f[7]) !== null) { addTerm(dl, "Observed", str(f[7])); }
    if (str(f[8]) !== null) { addTerm(dl, "Expected", str(f[8])); }
    if (str(f[9]) !== null) { addTerm(dl, "Declared at", str(f[9]), true); }
    (f[10] || []).forEach(function (pair) { addTerm(dl, str(pair[0]), str(pair[1])); });
    if (f[11] && f[11].length) {
      var evidence = addTerm(dl, "Evidence", "");
      f[11].forEach(function (id) { add(evidence, "code", null, rid(id)); add(evidence, "br"); });
    }
    if (f[12] && f[12].length) {
      add(add(why, "p"), "strong", null, "Fix");
      f[12].forEach(function (piece) {
        if (piece[1]) { addCopyable(why, str(piece[0])); } else { add(why, "p", "fix", str(piece[0])); }
      });
    }
    addRuleLink(add(why, "p", "rule-link"), ruleId).textContent =
      "Rule " + ruleId + ": reason, sources and help";
    return tr;
  }

  function drawing(figure, p) {
    var svg = addSvg(figure, "svg", {
      "class": "egress", viewBox: "0 0 " + p[1] + " " + p[2], width: p[1], height: p[2],
      "aria-hidden": "true"
    });
    addSvg(svg, "use", { href: "#frame-" + p[0] });
    p[3].forEach(function (box) {
      var parent = svg;
      if (str(box[0]) !== null) {
        parent = addSvg(svg, "g", {});
        addSvg(parent, "title", {}).textContent = str(box[0]);
      }
      box[1].forEach(function (t) {
        var attributes = t[2] ? { "class": ["", "s", "m"][t[2]] } : {};
        attributes.x = t[0];
        attributes.y = t[1];
        addSvg(parent, "text", attributes).textContent = str(t[3]);
      });
    });
  }

  function clusterCard(c, index) {
    var flags = c[4], stopped = flags & 1, unknown = flags & 2;
    var card = add(null, "details", "cluster" + (unknown ? " has-unknown" : ""));
    card.id = "cluster-" + index;
    var summary = add(card, "summary");
    add(summary, "bdi", "cname", str(c[0]));
    addText(summary, "\n");
    add(summary, "span", "chip", str(c[1]) || "outbound type not set").title = "outbound type";
    add(summary, "span", "chip", str(c[2]) || "plugin not set").title = "network plugin";
    add(summary, "span", "chip" + (stopped ? " stopped" : ""), str(c[3]) || "power state unknown")
      .title = "power state";
    if (unknown) { add(summary, "span", "chip unknown", "unknown egress"); }
    for (var i = 0; i < c[5].length; i += 2) {
      var severity = SEVERITIES[c[5][i]];
      add(summary, "span", "sev " + severity, c[5][i + 1] + " " + severity);
    }
    add(summary, "span", "where", str(c[6]) + " · " + str(c[7]));
    var body = add(card, "div", "body");
    c[8].forEach(function (p) {
      var figure = add(body, "figure", "path" + (p[8] ? " unknown" : ""));
      drawing(figure, p);
      var caption = add(figure, "figcaption");
      var strong = add(caption, "strong", null, str(p[5]) + " ");
      add(strong, "bdi", null, p[4].map(str).join(", "));
      addText(caption, " leave through " + str(p[6]));
      if (str(p[7]) !== null) { add(caption, "br"); add(caption, "small", null, str(p[7])); }
    });
    add(body, "h4", null, "Egress IPs");
    if (c[9].length) {
      addCopyable(body, c[9].map(str).join("\n"));
    } else {
      add(body, "p", "muted", "No known egress IPs: see the paths above.");
    }
    var table = add(body, "table", "list pools");
    var head = add(add(table, "thead"), "tr");
    ["Node pool", "Mode", "OS", "Nodes", "Power", "Egress"].forEach(function (name) {
      add(head, "th", null, name);
    });
    var rows = add(table, "tbody");
    c[10].forEach(function (pool) {
      var tr = add(rows, "tr");
      add(add(tr, "td"), "bdi", "name", str(pool[0]));
      add(tr, "td", null, str(pool[1]) || "");
      add(tr, "td", null, str(pool[2]) || "");
      add(tr, "td", null, pool[3] === undefined || pool[3] === null ? "" : String(pool[3]));
      add(tr, "td", null, str(pool[4]) || "");
      add(tr, "td", null, str(pool[5]) + (str(pool[6]) !== null ? " · pods: " + str(pool[6]) : ""));
    });
    if (c[11].length) {
      add(body, "h4", null, "Findings");
      var list = add(body, "ul", "cfind");
      c[11].forEach(function (number) {
        var f = data.findings[number], li = add(list, "li");
        addSeverity(li, SEVERITIES[f[0]]);
        addText(li, " ");
        addRuleLink(li, data.rules[f[1]][0]);
        addText(li, " " + str(f[5]));
      });
    }
    var where = add(body, "p", "rid", "Subscription ");
    add(where, "code", null, str(c[12]));
    addText(where, " · ");
    add(where, "code", null, rid(c[13]));
    return card;
  }

  // What "Find clusters" and the findings search look through: every text the card or row
  // shows (its markup's text, for a card or row in the markup).
  function cardText(c) {
    var parts = [str(c[0]), str(c[1]), str(c[2]), str(c[3]), str(c[6]), str(c[7]),
      str(c[12]), rid(c[13])];
    c[8].forEach(function (p) {
      p[3].forEach(function (box) { box[1].forEach(function (t) { parts.push(str(t[3])); }); });
      parts.push(p[4].map(str).join(", "), str(p[6]), str(p[7]));
    });
    c[9].forEach(function (ip) { parts.push(str(ip)); });
    c[10].forEach(function (pool) { parts.push(str(pool[0]), str(pool[5]), str(pool[6])); });
    c[11].forEach(function (number) { parts.push(str(data.findings[number][5])); });
    return parts.join("\n").toLowerCase();
  }
  function findingText(f) {
    var rule = data.rules[f[1]];
    var parts = [SEVERITIES[f[0]], rule[0], rule[1], str(f[3]), str(f[4]), str(f[5]), rid(f[6]),
      str(f[7]), str(f[8]), str(f[9])];
    (f[10] || []).forEach(function (pair) { parts.push(str(pair[0]), str(pair[1])); });
    (f[11] || []).forEach(function (id) { parts.push(rid(id)); });
    (f[12] || []).forEach(function (piece) { parts.push(str(piece[0])); });
    return parts.join("\n").toLowerCase();
  }

  // Everything below needs the data of a large report, which is decompressed first.
  var beforePrint = [], afterPrint = [];
  var cardList = document.getElementById("cluster-list");
  var moreCards = document.getElementById("c-more");
  var cardState = { open: false, shown: [], limit: CARDS };
  function drawCards() {}

  function start() {
    // --- Cluster cards: find, expand or collapse all; in a large report, drawn as they come
    // into view, a batch at a time. ---------------------------------------------------------
    var cards;
    if (data && cardList) {
      cards = data.clusters.map(function (c, index) {
        return {
          text: function () { return this._text || (this._text = cardText(c)); },
          el: function () {
            if (!this._el) { this._el = clusterCard(c, index); this._el.open = cardState.open; }
            return this._el;
          }
        };
      });
    } else {
      cards = Array.prototype.map.call(document.querySelectorAll("details.cluster"), function (card) {
        return {
          text: function () { return this._text || (this._text = card.textContent.toLowerCase()); },
          el: function () { return card; }
        };
      });
    }
    cardState.shown = cards;
    drawCards = function () {
      if (!cardList) {
        var visible = new Set(cardState.shown);
        cards.forEach(function (card) { card.el().hidden = !visible.has(card); });
        return;
      }
      var fragment = document.createDocumentFragment();
      cardState.shown.slice(0, cardState.limit).forEach(function (card) {
        fragment.appendChild(card.el());
      });
      cardList.replaceChildren(fragment);
      var left = cardState.shown.length - Math.min(cardState.limit, cardState.shown.length);
      moreCards.parentNode.hidden = left === 0;
      moreCards.textContent = "Show " + Math.min(CARDS, left) + " more of " + left + " clusters";
    };
    if (cardList) {
      var showMore = function () { cardState.limit += CARDS; drawCards(); };
      moreCards.addEventListener("click", showMore);
      if (window.IntersectionObserver) {
        // Scrolling to the end of the list draws the next batch.
        new IntersectionObserver(function (entries) {
          if (entries[0].isIntersecting && !moreCards.parentNode.hidden) { showMore(); }
        }, { rootMargin: "600px" }).observe(moreCards);
      }
      drawCards();
      beforePrint.push(function () {
        cardState.printed = cardState.limit;
        cardState.limit = cardState.shown.length;
        drawCards();
      });
      afterPrint.push(function () { cardState.limit = cardState.printed; drawCards(); });
    }
    function setAll(open) {
      cardState.open = open;
      cardState.shown.forEach(function (card) {
        if (!cardList || card._el) { card.el().open = open; }
      });
    }
    var openAll = document.getElementById("open-all");
    var closeAll = document.getElementById("close-all");
    if (openAll) { openAll.addEventListener("click", function () { setAll(true); }); }
    if (closeAll) { closeAll.addEventListener("click", function () { setAll(false); }); }
    var clusterText = document.getElementById("c-text");
    if (clusterText) {
      clusterText.addEventListener("input", function () {
        var text = clusterText.value.trim().toLowerCase();
        cardState.shown = text ? cards.filter(function (card) { return card.text().indexOf(text) >= 0; }) : cards;
        cardState.limit = CARDS;
        drawCards();
        document.getElementById("c-info").textContent =
          text ? cardState.shown.length + " of " + cards.length + " clusters" : "";
      });
    }

    // --- Findings: filter, sort and paginate every row, in the markup or in the data. --------
    var table = document.getElementById("findings-table");
    if (table) {
      var body = table.tBodies[0];
      var listed = Array.prototype.slice.call(body.rows);
      var rows;
      if (data) {
        rows = data.findings.map(function (f, index) {
          var rule = data.rules[f[1]][0];
          return {
            order: index, sev: SEVERITIES[f[0]], rule: rule, sub: str(f[2]) || "",
            res: function () { return (str(f[3]) + str(f[4])).toLowerCase(); },
            msg: function () { return str(f[5]).toLowerCase(); },
            text: function () { return this._text || (this._text = findingText(f)); },
            // The first page is in the markup already.
            el: function () { return this._el || (this._el = listed[index] || findingRow(f)); }
          };
        });
      } else {
        rows = listed.map(function (row, index) {
          return {
            order: index, sev: row.getAttribute("data-sev"), rule: row.getAttribute("data-rule"),
            sub: row.getAttribute("data-sub"),
            res: function () { return row.cells[2].textContent.toLowerCase(); },
            msg: function () { return row.cells[3].querySelector("summary").textContent.toLowerCase(); },
            text: function () { return this._text || (this._text = row.textContent.toLowerCase()); },
            el: function () { return row; }
          };
        });
      }
      var controls = {
        sev: document.getElementById("f-sev"),
        rule: document.getElementById("f-rule"),
        sub: document.getElementById("f-sub"),
        text: document.getElementById("f-text")
      };
      var state = { key: null, dir: 1, page: 0 };
      var shown = rows;

      var keyOf = {
        sev: function (row) { return -RANK[row.sev]; },
        rule: function (row) { return row.rule; },
        res: function (row) { return row.res(); },
        msg: function (row) { return row.msg(); }
      };
      function matches(row) {
        var text = controls.text.value.trim().toLowerCase();
        return (!controls.sev.value || row.sev === controls.sev.value) &&
          (!controls.rule.value || row.rule === controls.rule.value) &&
          (!controls.sub.value || row.sub === controls.sub.value) &&
          (!text || row.text().indexOf(text) >= 0);
      }
      function compare(a, b) {
        if (state.key) {
          var ka = keyOf[state.key](a), kb = keyOf[state.key](b);
          if (ka < kb) { return -state.dir; }
          if (ka > kb) { return state.dir; }
        }
        return a.order - b.order;
      }
      function show(list) {
        var fragment = document.createDocumentFragment();
        list.forEach(function (row) { fragment.appendChild(row.el()); });
        body.replaceChildren(fragment);
      }
      function paint() {
        var pages = Math.max(1, Math.ceil(shown.length / PAGE));
        state.page = Math.min(state.page, pages - 1);
        var first = state.page * PAGE, last = Math.min(first + PAGE, shown.length);
        show(shown.slice(first, last));
        var info = document.getElementById("p-info");
        info.textContent = shown.length
          ? "Showing " + (first + 1) + "–" + last + " of " + shown.length +
            (shown.length === rows.length ? "" : " (filtered from " + rows.length + ")")
          : "No finding matches the filters";
        document.getElementById("p-prev").disabled = state.page === 0;
        document.getElementById("p-next").disabled = state.page >= pages - 1;
      }
      function refresh() {
        shown = rows.filter(matches).sort(compare);
        paint();
      }
      ["sev", "rule", "sub"].forEach(function (name) {
        controls[name].addEventListener("change", function () { state.page = 0; refresh(); });
      });
      controls.text.addEventListener("input", function () { state.page = 0; refresh(); });
      document.getElementById("p-prev").addEventListener("click", function () { state.page -= 1; paint(); });
      document.getElementById("p-next").addEventListener("click", function () { state.page += 1; paint(); });

      Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-sort]"), function (th) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        th.setAttribute("aria-sort", "none");
        button.addEventListener("click", function () {
          var key = th.getAttribute("data-sort");
          state.dir = state.key === key ? -state.dir : 1;
          state.key = key;
          Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-sort]"), function (other) {
            other.setAttribute("aria-sort", other === th ? (state.dir === 1 ? "ascending" : "descending") : "none");
          });
          refresh();
        });
      });
      refresh();

      // Printing shows every matching finding, not only the current page.
      beforePrint.push(function () { show(shown); });
      afterPrint.push(paint);
    }
  }

  function unreadable(error) {
    var text = "This browser could not read the report's data (" + error + "): open it in a " +
      "current browser, or read the JSON report.";
    if (cardList) { add(cardList, "p", "muted", text); }
    var info = document.getElementById("p-info");
    if (info) { info.textContent = text; }
  }
  var packed = document.getElementById("report-data");
  if (packed) {
    try {
      var text = atob(packed.textContent), bytes = new Uint8Array(text.length);
      packed.remove();
      for (var i = 0; i < text.length; i += 1) { bytes[i] = text.charCodeAt(i); }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      new Response(stream).text().then(function (json) {
        data = JSON.parse(json);
        start();
      }).catch(unreadable);
    } catch (error) {
      unreadable(error);
    }
  } else {
    start();
  }

  // Printing draws every matching finding and cluster card, then opens every collapsed
  // section; closing them again afterwards.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    beforePrint.forEach(function (hook) { hook(); });
    reopened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
    afterPrint.forEach(function (hook) { hook(); });
  });
})();
