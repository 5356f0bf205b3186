// As-you-type suggestions for every search box (`input[data-suggest]`). The boxes are
// plain GET forms and work without this file; it only adds a list of suggestions from
// /search/suggest under the box (debounced, ARIA combobox, arrow keys, Enter, Escape).
// No external code; every text is inserted with textContent.
(function () {
  "use strict";
  var DELAY = 200;
  var counter = 0;

  function setup(input) {
    counter += 1;
    var listId = "search-suggest-" + counter;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var wrap = document.createElement("div");
    wrap.className = "suggest-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var latest = 0;
    var active = -1;
    var items = [];

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(i) {
      var options = list.children;
      for (var k = 0; k < options.length; k++) {
        options[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(data) {
      close();
      if (!Array.isArray(data) || data.length === 0) {
        return;
      }
      items = data;
      data.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var a = document.createElement("a");
        a.href = String(item.url || "");
        a.tabIndex = -1;
        a.textContent = String(item.text || "");
        li.appendChild(a);
        li.addEventListener("mousedown", function (e) {
          // Follow the link before the input loses focus and the list closes.
          e.preventDefault();
          window.location.href = a.href;
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === "") {
        close();
        return;
      }
      var url = "/search/suggest?q=" + encodeURIComponent(q);
      var site = input.getAttribute("data-suggest-site");
      if (site) {
        url += "&site=" + encodeURIComponent(site);
      }
      latest += 1;
      var mine = latest;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (res) {
          return res.ok ? res.json() : [];
        })
        .then(function (data) {
          if (mine === latest) {
            show(data);
          }
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener("input", function () {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(fetchSuggestions, DELAY);
    });

    input.addEventListener("keydown", function (e) {
      if (list.hidden || items.length === 0) {
        return;
      }
      if (e.key === "ArrowDown") {
        e.preventDefault();
        highlight((active + 1) % items.length);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        var link = list.children[active].querySelector("a");
        if (link) {
          window.location.href = link.href;
        }
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) {
      setup(inputs[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
