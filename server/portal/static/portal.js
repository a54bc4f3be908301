/* The client portal's own script. Every page works without it; with it: the error summary
   takes the focus, "Select all", the formatting toolbar, files uploaded as soon as they are
   chosen or dropped (with progress and the server's limits checked first), drafts saved
   as one types, local times, and a form sent only once. */
(function () {
  "use strict";

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function fileSize(size) {
    if (size < 1024) { return size + " bytes"; }
    if (size < 1024 * 1024) { return Math.round(size / 1024) + " KB"; }
    return (size / (1024 * 1024)).toFixed(1) + " MB";
  }

  /* The error summary: focused on arrival; its links reach the field (or its editor). */
  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      if (target.hidden && target.dataset.editorId) {
        target = document.getElementById(target.dataset.editorId);
      }
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }

  /* "Select all" above a list of conversations. */
  function selectAll() {
    each("[data-bulk]", function (form) {
      var boxes = form.querySelectorAll(".thread__check");
      var list = form.querySelector(".threads");
      if (!boxes.length || !list) { return; }
      var wrap = el("div", { "class": "select-all" });
      var all = el("input", { type: "checkbox", id: "select-all" });
      wrap.appendChild(all);
      wrap.appendChild(el("label", { "for": "select-all" }, "Select all"));
      list.parentNode.insertBefore(wrap, list);
      all.addEventListener("change", function () {
        Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
      });
      form.addEventListener("change", function (event) {
        if (event.target === all) { return; }
        var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
        all.checked = checked.length === boxes.length;
        all.indeterminate = checked.length > 0 && checked.length < boxes.length;
      });
    });
  }

  /* The formatting toolbar: an editable box replaces the plain textarea. */
  var COMMANDS = [
    ["bold", "Bold"], ["italic", "Italic"], ["underline", "Underline"],
    ["insertUnorderedList", "Bulleted list"], ["insertOrderedList", "Numbered list"],
    ["createLink", "Link"]
  ];

  function textToHtml(text) {
    var holder = document.createElement("div");
    text.split(/\n\s*\n/).forEach(function (part) {
      if (!part.trim()) { return; }
      var p = document.createElement("p");
      part.split("\n").forEach(function (line, i) {
        if (i) { p.appendChild(document.createElement("br")); }
        p.appendChild(document.createTextNode(line));
      });
      holder.appendChild(p);
    });
    return holder.innerHTML;
  }

  function editor() {
    each("[data-editor]", function (field) {
      var area = field.querySelector("textarea");
      var hidden = field.querySelector("[data-editor-html]");
      var label = field.querySelector("label");
      var box = el("div", {
        "class": "editor", contenteditable: "true", role: "textbox", "aria-multiline": "true",
        id: area.id + "-editor", "aria-labelledby": label.id
      });
      if (area.getAttribute("aria-describedby")) {
        box.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
        box.setAttribute("aria-invalid", "true");
      }
      box.innerHTML = hidden.value || textToHtml(area.value);
      var bar = el("div", { role: "toolbar", "aria-label": "Formatting", "aria-controls": box.id, "class": "toolbar" });
      var buttons = COMMANDS.map(function (command) {
        var button = el("button", { type: "button", "class": "toolbar__" + command[0] }, command[1]);
        if (command[0] !== "createLink") { button.setAttribute("aria-pressed", "false"); }
        button.addEventListener("mousedown", function (event) { event.preventDefault(); });
        button.addEventListener("click", function () {
          box.focus();
          if (command[0] === "createLink") {
            var url = window.prompt("Link address (starting https://)", "https://");
            if (url && /^(https?:\/\/|mailto:)/i.test(url.trim())) {
              document.execCommand("createLink", false, url.trim());
            }
          } else {
            document.execCommand(command[0], false, null);
          }
          refresh();
        });
        bar.appendChild(button);
        return [command[0], button];
      });
      function refresh() {
        buttons.forEach(function (pair) {
          if (pair[0] === "createLink") { return; }
          var on = false;
          try { on = document.queryCommandState(pair[0]); } catch (e) { on = false; }
          pair[1].setAttribute("aria-pressed", on ? "true" : "false");
        });
      }
      document.addEventListener("selectionchange", function () {
        if (document.activeElement === box) { refresh(); }
      });
      label.removeAttribute("for");
      label.addEventListener("click", function () { box.focus(); });
      area.hidden = true;
      area.dataset.editorId = box.id;
      area.parentNode.insertBefore(bar, area);
      area.parentNode.insertBefore(box, area);
      function sync() {
        hidden.value = box.textContent.trim() ? box.innerHTML : "";
        area.value = box.innerText;
      }
      var form = field.closest("form");
      form.addEventListener("submit", sync);
      form.addEventListener("portal:sync", sync);
      box.addEventListener("input", function () {
        form.dispatchEvent(new Event("input"));
      });
    });
  }

  /* Attachments: uploaded one by one as soon as chosen or dropped, with progress. */
  function attachments() {
    each("[data-attachments]", function (field) {
      var form = field.closest("form");
      var input = field.querySelector("input[type=file]");
      var list = field.querySelector("[data-file-list]");
      var maxBytes = Number(field.dataset.maxBytes);
      var types = (field.dataset.types || "").split(",");
      var csrf = form.querySelector("[name=csrf_token]").value;
      var pending = 0;
      var zone = el("div", { "class": "drop-zone" });
      zone.appendChild(el("p", {}, "Drag files here, or choose them."));
      input.parentNode.insertBefore(zone, input);
      zone.appendChild(input);

      function refuse(item, sentence) {
        item.appendChild(el("span", { "class": "file-list__error" }, sentence));
      }

      function upload(file) {
        var item = el("li", { "class": "file-list__item" });
        var name = el("span", {}, file.name + " (" + fileSize(file.size) + ")");
        item.appendChild(name);
        list.appendChild(item);
        var dot = file.name.lastIndexOf(".");
        var ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
        if (types.indexOf(ext) < 0) {
          refuse(item, field.dataset.typeRefused.replace("{ext}", ext || "no extension"));
          return;
        }
        if (file.size > maxBytes) { refuse(item, field.dataset.tooLarge); return; }
        var bar = el("progress", { max: "100", value: "0", "aria-label": "Uploading " + file.name });
        item.appendChild(bar);
        pending += 1;
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.dataset.uploadUrl);
        xhr.setRequestHeader("X-Filename", encodeURIComponent(file.name));
        xhr.setRequestHeader("X-CSRF-Token", csrf);
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) { bar.value = Math.round(100 * event.loaded / event.total); }
        });
        xhr.addEventListener("loadend", function () {
          pending -= 1;
          bar.remove();
          if (!pending) { each(".file-list__wait", function (node) { node.remove(); }, field); }
          var answer = null;
          try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
          if (xhr.status === 201 && answer) {
            var box = el("input", { type: "checkbox", name: "attachment_id", value: answer.id, id: "keep-" + answer.id });
            box.checked = true;
            var label = el("label", { "for": box.id }, answer.filename + " (" + fileSize(answer.size) + ")");
            item.replaceChildren(box, label);
          } else {
            refuse(item, (answer && answer.detail) || "The upload failed. Try again.");
          }
        });
        xhr.send(file);
      }

      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files, upload);
        input.value = "";
      });
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) {
          event.preventDefault();
          zone.classList.add("drop-zone--over");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () { zone.classList.remove("drop-zone--over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        Array.prototype.forEach.call(event.dataTransfer.files, upload);
      });
      form.addEventListener("submit", function (event) {
        if (pending > 0) {
          event.preventDefault();
          event.stopImmediatePropagation();
          if (!field.querySelector(".file-list__wait")) {
            list.parentNode.insertBefore(el("p", { "class": "field-error file-list__wait", role: "alert" },
              "Wait until the files have finished uploading, then send again."), list);
          }
        }
      });
    });
  }

  /* Drafts save themselves a few seconds after the typing stops. */
  function autosave() {
    each("form[data-autosave]", function (form) {
      var status = null;
      var timer = null;
      function say(text) {
        if (!status) {  /* made on the first save: one live region per page */
          status = document.querySelector("main [role=status]") ||
            el("p", { "class": "hint autosave", role: "status" });
          var buttons = form.querySelector(".button-group");
          if (!status.parentNode) { buttons.parentNode.insertBefore(status, buttons); }
        }
        status.textContent = text;
      }
      function save() {
        form.dispatchEvent(new Event("portal:sync"));
        var data = new FormData(form);
        data.set("action", "save");
        data.delete("files");
        /* form.action would be the button named "action": read the attribute. */
        fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
          .then(function (answer) {
            var saved = answer.type === "opaqueredirect" || answer.ok;
            say(saved
              ? "Draft saved at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + "."
              : "The draft could not be saved just now.");
          })
          .catch(function () { say("The draft could not be saved just now."); });
      }
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(save, 3000);
      });
      form.addEventListener("submit", function () { clearTimeout(timer); });
    });
  }

  /* Send a form once: a second press while the page loads does nothing. */
  function sendOnce() {
    each("form", function (form) {
      var sent = false;
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        if (sent) { event.preventDefault(); return; }
        sent = true;
      });
    });
  }

  /* Times in the reader's own time zone. */
  function localTimes() {
    if (!window.Intl) { return; }
    var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    each("time[datetime]", function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (!isNaN(when)) { node.textContent = format.format(when); }
    });
  }

  errorSummary();
  selectAll();
  editor();
  attachments();
  autosave();
  sendOnce();
  localTimes();
}());
