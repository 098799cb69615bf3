/* Grille de positionnement: keyboard entry, each cell saved as it is typed (views_grids.grid_cell_view).
   Arrows move; 0 (NE) to 4 set the level, Backspace/Delete set NE; Enter goes to the next learner, Tab to the next
   cell; C opens the cell's comment; a click cycles NE, 1, 2, 3, 4. Every save carries the value last confirmed by
   the server (data-saved): when someone else changed the cell meanwhile, the server refuses and the current value
   is shown. Saves are sent one after the other; a failed request is tried again twice. */
(function () {
  "use strict";
  var table = document.getElementById("grid");
  if (!table || table.getAttribute("data-editable") !== "1") return;
  var url = table.getAttribute("data-url");
  var csrf = document.querySelector("#grid-csrf input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("grid-status");
  var rows = Array.prototype.map.call(table.tBodies[0].rows, function (tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("td.grid-cell"));
  }).filter(function (cells) { return cells.length; });
  if (!rows.length) return;
  var LABELS = ["NE", "1", "2", "3", "4"];
  var pending = 0, failures = 0, r = 0, c = 0;
  var panel = document.getElementById("grid-comments");
  var cellComment = document.getElementById("grid-cell-comment");
  var note = document.getElementById("grid-note");

  rows.forEach(function (cells) { cells.forEach(function (cell) { cell.tabIndex = -1; }); });
  rows[0][0].tabIndex = 0;
  if (panel) panel.hidden = false;
  showStatus();

  function showStatus(message) {
    status.classList.remove("is-saved", "is-pending", "is-error");
    if (message) {
      status.textContent = message;
      status.classList.add("is-error");
    } else if (pending) {
      status.textContent = "Enregistrement en cours…";
      status.classList.add("is-pending");
    } else if (failures) {
      status.textContent = "Des cases ne sont pas enregistrées (entourées en rouge) : vérifiez la connexion puis saisissez-les de nouveau.";
      status.classList.add("is-error");
    } else {
      status.textContent = "Toutes les saisies sont enregistrées.";
      status.classList.add("is-saved");
    }
  }

  function learnerName(cell) {
    return cell.parentNode.querySelector("th").textContent.trim();
  }

  function showComments() {
    var cell = rows[r][c];
    document.getElementById("grid-cell-name").textContent = "(" + learnerName(cell) + ", " + cell.getAttribute("data-code") + ")";
    document.getElementById("grid-note-name").textContent = "(" + learnerName(cell) + ")";
    cellComment.value = cell.getAttribute("data-comment");
    note.value = cell.parentNode.getAttribute("data-note");
  }

  function moveTo(nr, nc) {
    nr = Math.max(0, Math.min(rows.length - 1, nr));
    nc = Math.max(0, Math.min(rows[nr].length - 1, nc));
    rows[r][c].tabIndex = -1;
    r = nr; c = nc;
    rows[r][c].tabIndex = 0;
    rows[r][c].focus();
    showComments();
  }

  function render(cell, level, comment) {
    cell.className = cell.className.replace(/\bgrid-l\d\b/, "grid-l" + level);
    cell.setAttribute("data-level", String(level));
    cell.textContent = LABELS[level];
    if (comment !== undefined) {
      cell.setAttribute("data-comment", comment);
      cell.classList.toggle("grid-commented", !!comment);
      if (comment) cell.title = comment; else cell.removeAttribute("title");
    }
  }

  function post(payload, attempt) {
    attempt = attempt || 0;
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "X-Requested-With": "fetch"},
      body: JSON.stringify(payload)
    }).then(function (response) {
      if (response.status >= 500 && attempt < 2) throw new Error("retry");
      return response.json().catch(function () { return {ok: false, error: "Réponse illisible du serveur."}; })
        .then(function (data) { data.status = response.status; return data; });
    }).catch(function (error) {
      // A server busy for a moment or a network hiccup: try again twice, then report the cell as not saved.
      if (attempt >= 2) throw error;
      return new Promise(function (resolve) { setTimeout(resolve, 400 * (attempt + 1)); })
        .then(function () { return post(payload, attempt + 1); });
    });
  }

  // Saves are sent one after the other (the page never has two requests in flight), each with the value the
  // server confirmed last for its cell.
  var chain = Promise.resolve();
  function queue(cell, job) {
    pending += 1;
    cell._jobs = (cell._jobs || 0) + 1;
    showStatus();
    cell.classList.add("grid-pending");
    chain = chain.then(job).catch(function () {
      failures += 1;
      cell.classList.add("grid-failed");
    }).then(function () {
      pending -= 1;
      if (--cell._jobs <= 0) cell.classList.remove("grid-pending");
      showStatus(cell._message);
      cell._message = "";
    });
  }

  function payloadOf(cell) {
    return {
      learner: cell.parentNode.getAttribute("data-learner"),
      competency: cell.getAttribute("data-competency"),
      criterion: cell.getAttribute("data-criterion") || null
    };
  }

  function answer(cell, data) {
    if (data.ok) {
      cell.setAttribute("data-saved", String(data.level));
      cell.setAttribute("data-saved-comment", data.comment);
      if (cell.classList.contains("grid-failed")) { cell.classList.remove("grid-failed"); failures = Math.max(0, failures - 1); }
      cell.classList.remove("grid-conflict");
      return;
    }
    if (data.status === 409 && data.current) {
      cell.setAttribute("data-saved", String(data.current.level));
      cell.setAttribute("data-saved-comment", data.current.comment);
      render(cell, data.current.level, data.current.comment);
      cell.classList.add("grid-conflict");
      cell._message = learnerName(cell) + ", " + cell.getAttribute("data-code") + " : " + data.error;
      if (rows[r][c] === cell) showComments();
      return;
    }
    render(cell, Number(cell.getAttribute("data-saved")));
    cell.classList.add("grid-failed");
    failures += 1;
    cell._message = data.error || "La case n'a pas été enregistrée.";
  }

  function setLevel(cell, level) {
    if (String(level) === cell.getAttribute("data-level")) return;
    render(cell, level);
    queue(cell, function () {
      var wanted = Number(cell.getAttribute("data-level"));
      var seen = Number(cell.getAttribute("data-saved"));
      if (wanted === seen) return null;
      var payload = payloadOf(cell);
      payload.level = wanted;
      payload.seen = seen;
      return post(payload).then(function (data) {
        answer(cell, data);
        if (data.ok && Number(cell.getAttribute("data-level")) !== wanted) render(cell, Number(cell.getAttribute("data-level")));
      });
    });
  }

  function saveComment() {
    var cell = rows[r][c];
    var comment = cellComment.value.trim();
    queue(cell, function () {
      var payload = payloadOf(cell);
      payload.comment = comment;
      payload.seen_comment = cell.getAttribute("data-saved-comment");
      return post(payload).then(function (data) {
        answer(cell, data);
        if (data.ok) render(cell, Number(cell.getAttribute("data-level")), data.comment);
      });
    });
  }

  function saveNote() {
    var tr = rows[r][c].parentNode;
    var cell = rows[r][c];
    var text = note.value.trim();
    queue(cell, function () {
      return post({learner: tr.getAttribute("data-learner"), note: text, seen_note: tr.getAttribute("data-saved-note")})
        .then(function (data) {
          var shown = data.ok ? data.note : (data.status === 409 ? data.note : null);
          if (shown === null || shown === undefined) {
            failures += 1;
            cell._message = data.error || "Le commentaire n'a pas été enregistré.";
            return;
          }
          tr.setAttribute("data-note", shown);
          tr.setAttribute("data-saved-note", shown);
          tr.querySelector(".cpro-grid-note").textContent = shown.length > 60 ? shown.slice(0, 59) + "…" : shown;
          if (!data.ok) cell._message = data.error;
          if (rows[r][c].parentNode === tr) note.value = shown;
        });
    });
  }

  function position(target) {
    for (var i = 0; i < rows.length; i++) {
      var j = rows[i].indexOf(target);
      if (j >= 0) return [i, j];
    }
    return null;
  }

  table.addEventListener("focusin", function (event) {
    var at = position(event.target);
    if (at && (at[0] !== r || at[1] !== c)) {
      rows[r][c].tabIndex = -1;
      r = at[0]; c = at[1];
      rows[r][c].tabIndex = 0;
      showComments();
    }
  });

  table.addEventListener("keydown", function (event) {
    var at = position(event.target);
    if (!at || event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    var cell = rows[at[0]][at[1]];
    if (/^[0-4]$/.test(key)) {
      setLevel(cell, Number(key));
    } else if (key === "Backspace" || key === "Delete") {
      setLevel(cell, 0);
    } else if (key === " ") {
      setLevel(cell, (Number(cell.getAttribute("data-level")) + 1) % 5);
    } else if (key === "ArrowRight") {
      moveTo(at[0], at[1] + 1);
    } else if (key === "ArrowLeft") {
      moveTo(at[0], at[1] - 1);
    } else if (key === "ArrowDown" || (key === "Enter" && !event.shiftKey)) {
      moveTo(at[0] + 1, at[1]);
    } else if (key === "ArrowUp" || (key === "Enter" && event.shiftKey)) {
      moveTo(at[0] - 1, at[1]);
    } else if (key === "Tab") {
      var last = at[0] === rows.length - 1 && at[1] === rows[at[0]].length - 1;
      var first = at[0] === 0 && at[1] === 0;
      if ((event.shiftKey && first) || (!event.shiftKey && last)) return;  // leave the grid
      if (event.shiftKey) {
        if (at[1] > 0) moveTo(at[0], at[1] - 1); else moveTo(at[0] - 1, rows[at[0] - 1].length - 1);
      } else if (at[1] < rows[at[0]].length - 1) moveTo(at[0], at[1] + 1); else moveTo(at[0] + 1, 0);
    } else if (key === "c" || key === "C") {
      cellComment.focus();
    } else if (key === "Home") {
      moveTo(at[0], 0);
    } else if (key === "End") {
      moveTo(at[0], rows[at[0]].length - 1);
    } else {
      return;
    }
    event.preventDefault();
  });

  table.addEventListener("click", function (event) {
    var at = position(event.target);
    if (!at) return;
    var cell = rows[at[0]][at[1]];
    moveTo(at[0], at[1]);
    setLevel(cell, (Number(cell.getAttribute("data-level")) + 1) % 5);
  });

  document.getElementById("grid-cell-comment-save").addEventListener("click", saveComment);
  document.getElementById("grid-note-save").addEventListener("click", saveNote);
  [cellComment, note].forEach(function (field) {
    field.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); rows[r][c].focus(); }
    });
  });
  showComments();

  window.addEventListener("beforeunload", function (event) {
    if (pending) { event.preventDefault(); event.returnValue = ""; }
  });
})();
