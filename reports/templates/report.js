(function () {
  "use strict";
  var RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  var PAGE = 100;

  // Controls that need JavaScript are hidden in the markup and shown here.
  Array.prototype.forEach.call(document.querySelectorAll("[data-js]"), function (el) {
    el.hidden = false;
  });
  // Every copyable block gets its button (added here, so the file does not carry thousands).
  Array.prototype.forEach.call(document.querySelectorAll(".copyable"), function (block) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    block.appendChild(button);
  });

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

  // Cluster cards: expand or collapse all.
  function setAll(open) {
    Array.prototype.forEach.call(document.querySelectorAll("details.cluster:not([hidden])"), function (d) {
      d.open = open;
    });
  }
  var openAll = document.getElementById("open-all");
  var closeAll = document.getElementById("close-all");
  if (openAll) { openAll.addEventListener("click", function () { setAll(true); }); }
  if (closeAll) { closeAll.addEventListener("click", function () { setAll(false); }); }
  var clusterText = document.getElementById("c-text");
  if (clusterText) {
    var cards = Array.prototype.slice.call(document.querySelectorAll("details.cluster"));
    clusterText.addEventListener("input", function () {
      var text = clusterText.value.trim().toLowerCase();
      var count = 0;
      cards.forEach(function (card) {
        if (card._text === undefined) { card._text = card.textContent.toLowerCase(); }
        card.hidden = text !== "" && card._text.indexOf(text) < 0;
        if (!card.hidden) { count += 1; }
      });
      document.getElementById("c-info").textContent =
        text ? count + " of " + cards.length + " clusters" : "";
    });
  }

  // Findings: filter, sort and paginate the rows rendered in the markup.
  var table = document.getElementById("findings-table");
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, index) { row._order = index; });
    var controls = {
      sev: document.getElementById("f-sev"),
      rule: document.getElementById("f-rule"),
      sub: document.getElementById("f-sub"),
      text: document.getElementById("f-text")
    };
    var state = { key: null, dir: 1, page: 0 };
    var shown = rows;

    var keyOf = {
      sev: function (row) { return -RANK[row.getAttribute("data-sev")]; },
      rule: function (row) { return row.getAttribute("data-rule"); },
      res: function (row) { return row.cells[2].textContent.toLowerCase(); },
      msg: function (row) { return row.cells[3].querySelector("summary").textContent.toLowerCase(); }
    };
    function searchText(row) {
      if (row._text === undefined) { row._text = row.textContent.toLowerCase(); }
      return row._text;
    }
    function matches(row) {
      var text = controls.text.value.trim().toLowerCase();
      return (!controls.sev.value || row.getAttribute("data-sev") === controls.sev.value) &&
        (!controls.rule.value || row.getAttribute("data-rule") === controls.rule.value) &&
        (!controls.sub.value || row.getAttribute("data-sub") === controls.sub.value) &&
        (!text || searchText(row).indexOf(text) >= 0);
    }
    function compare(a, b) {
      if (state.key) {
        var ka = keyOf[state.key](a), kb = keyOf[state.key](b);
        if (ka < kb) { return -state.dir; }
        if (ka > kb) { return state.dir; }
      }
      return a._order - b._order;
    }
    function paint() {
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      var first = state.page * PAGE, last = Math.min(first + PAGE, shown.length);
      var visible = new Set(shown.slice(first, last));
      rows.forEach(function (row) { row.hidden = !visible.has(row); });
      var info = document.getElementById("p-info");
      info.textContent = shown.length
        ? "Showing " + (first + 1) + "–" + last + " of " + shown.length +
          (shown.length === rows.length ? "" : " (filtered from " + rows.length + ")")
        : "No finding matches the filters";
      document.getElementById("p-prev").disabled = state.page === 0;
      document.getElementById("p-next").disabled = state.page >= pages - 1;
    }
    function refresh() {
      var sorted = rows.slice().sort(compare);
      var fragment = document.createDocumentFragment();
      sorted.forEach(function (row) { fragment.appendChild(row); });
      body.appendChild(fragment);
      shown = sorted.filter(matches);
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
    window.addEventListener("beforeprint", function () { shown.forEach(function (row) { row.hidden = false; }); });
    window.addEventListener("afterprint", paint);
  }

  // Printing opens every collapsed section; closing them again afterwards.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
