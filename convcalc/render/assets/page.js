// convcalc's explain page: draws the scenes written into #convcalc-data, plays their steps,
// and lights what a hovered cell reads or feeds. Every set it lights is in the data.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("convcalc-data").textContent);
  var root = document.getElementById("sections");
  var TITLES = { input: "input", stretched: "zeros inserted", padded: "padded", stop: "the grid the kernel moves over", output: "the grid the kernel moves over" };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function product(lists) {
    var out = [[]];
    lists.forEach(function (list) {
      var next = [];
      out.forEach(function (prefix) { list.forEach(function (v) { next.push(prefix.concat([v])); }); });
      out = next;
    });
    return out;
  }

  function Tracer(sizes) {
    this.sizes = sizes;
    this.box = el("div", "tracer");
    this.box.appendChild(el("h2", null, "network input " + sizes.join("×")));
    this.text = el("p", "note", "hover an output cell of any layer: the input cells it depends on light up");
    var rank = sizes.length;
    var rows = rank === 1 ? 1 : sizes[rank - 2], cols = sizes[rank - 1];
    if (rank === 1) { this.sx = 270 / cols; this.sy = 24; } else { this.sx = this.sy = Math.min(270 / cols, 200 / rows); }
    var ns = "http://www.w3.org/2000/svg";
    this.ns = ns;
    this.svg = document.createElementNS(ns, "svg");
    this.svg.setAttribute("width", String(Math.ceil(cols * this.sx)));
    this.svg.setAttribute("height", String(Math.ceil(rows * this.sy)));
    this.svg.setAttribute("class", "network-input");
    this.box.appendChild(this.svg);
    this.box.appendChild(this.text);
  }
  Tracer.prototype.show = function (heading, stop, intervals, hull) {
    var self = this, rank = this.sizes.length;
    while (this.svg.firstChild) this.svg.removeChild(this.svg.firstChild);
    var rowsOf = rank === 1 ? [[0, 0]] : intervals[rank - 2], colsOf = intervals[rank - 1];
    rowsOf.forEach(function (r) {
      colsOf.forEach(function (c) {
        var rect = document.createElementNS(self.ns, "rect");
        rect.setAttribute("class", "dep");
        rect.setAttribute("x", String(c[0] * self.sx));
        rect.setAttribute("y", String(rank === 1 ? 0 : r[0] * self.sy));
        rect.setAttribute("width", String((c[1] - c[0] + 1) * self.sx));
        rect.setAttribute("height", String(rank === 1 ? self.sy : (r[1] - r[0] + 1) * self.sy));
        rect.setAttribute("data-cols", c.join(","));
        if (rank > 1) rect.setAttribute("data-rows", r.join(","));
        self.svg.appendChild(rect);
      });
    });
    var names = rank === 1 ? ["cells"] : rank === 2 ? ["rows", "columns"] : ["depths", "rows", "columns"];
    var parts = intervals.map(function (axis, a) {
      var spans = axis.map(function (iv) { return iv[0] === iv[1] ? String(iv[0]) : iv[0] + ".." + iv[1]; });
      return names[a] + " " + (spans.join(", ") || "none");
    });
    var field = hull.map(function (h) { return h ? h[1] - h[0] + 1 : 0; }).join("×");
    this.text.textContent = heading.split(":")[0] + ", output (" + stop.join(", ") + ") depends on input " +
      parts.join(" × ") + "; receptive field " + field + " (padding counted)";
  };

  function Player(section, scene, heading, tracer) {
    this.scene = scene;
    this.heading = heading;
    this.tracer = tracer;
    this.step = 0;
    this.timer = null;
    this.shown = null;
    this.hovered = null;
    section.appendChild(el("p", "sizes", scene.title + " · " + scene.sizes));
    scene.notes.forEach(function (note) { section.appendChild(el("p", "note", note)); });
    var controls = el("div", "controls");
    this.prev = el("button", "prev", "◀");
    this.play = el("button", "play", "play");
    this.next = el("button", "next", "▶");
    this.range = el("input", "frame");
    this.range.type = "range";
    this.range.min = "0";
    this.range.max = String(scene.steps.length - 1);
    this.range.value = "0";
    this.counter = el("span", "counter");
    [this.prev, this.play, this.next, this.range, this.counter].forEach(function (c) { controls.appendChild(c); });
    section.appendChild(controls);
    this.caption = el("p", "caption");
    section.appendChild(this.caption);
    var panels = el("div", "panels");
    this.left = el("div", "panel");
    this.leftTitle = el("h3");
    this.leftBody = el("div");
    this.left.appendChild(this.leftTitle);
    this.left.appendChild(this.leftBody);
    this.right = el("div", "panel");
    this.right.appendChild(el("h3", null, "output"));
    this.outBody = el("div");
    this.right.appendChild(this.outBody);
    panels.appendChild(this.left);
    panels.appendChild(this.right);
    section.appendChild(panels);
    section.appendChild(legend(scene));
    this.readers = scene.axes.map(function (axis) {
      var map = {};
      axis.reads.forEach(function (reads, n) {
        reads.forEach(function (i) { (map[i] = map[i] || []).push(axis.outputs[n]); });
      });
      return map;
    });
    this.outputCells = {};
    this.drawOutputs();
    var self = this;
    this.prev.addEventListener("click", function () { self.pause(); self.go(self.step - 1); });
    this.next.addEventListener("click", function () { self.pause(); self.go(self.step + 1); });
    this.play.addEventListener("click", function () { if (self.timer) self.pause(); else self.start(); });
    this.range.addEventListener("input", function () { self.pause(); self.go(Number(self.range.value)); });
    this.render();
  }

  function legend(scene) {
    var box = el("div", "legend");
    var seen = {};
    Object.keys(scene.stages).forEach(function (stage) {
      scene.stages[stage].forEach(function (grid) {
        grid.forEach(function (row) { row.forEach(function (c) { seen[c[0]] = true; if (!c[3]) seen.unread = true; }); });
      });
    });
    var items = [["i", "input"], ["p", "padding"], ["z", "inserted zero"], ["e", "output_padding"], ["c", "cropped"], ["unread", "never read"]];
    items.forEach(function (item) {
      if (!seen[item[0]]) return;
      var span = el("span");
      span.appendChild(el("span", "cell " + (item[0] === "unread" ? "i unread" : item[0])));
      span.appendChild(document.createTextNode(item[1]));
      box.appendChild(span);
    });
    [["tap", "kernel taps"], ["read", "read at this stop"], ["hl", "hovered: reads or feeds"]].forEach(function (item) {
      var span = el("span");
      span.appendChild(el("span", "cell " + (item[0] === "tap" ? "p tap" : item[0] === "read" ? "i read" : "i hl")));
      span.appendChild(document.createTextNode(item[1]));
      box.appendChild(span);
    });
    return box;
  }

  Player.prototype.start = function () {
    var self = this;
    if (this.step >= this.scene.steps.length - 1) this.go(0);
    this.play.textContent = "pause";
    var tick = function () {
      var stage = self.scene.steps[self.step].stage;
      self.timer = setTimeout(function () {
        if (self.step >= self.scene.steps.length - 1) { self.pause(); return; }
        self.go(self.step + 1);
        tick();
      }, data.milliseconds[stage]);
    };
    tick();
  };
  Player.prototype.pause = function () {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.play.textContent = "play";
  };
  Player.prototype.go = function (step) {
    this.step = Math.max(0, Math.min(step, this.scene.steps.length - 1));
    this.render();
  };

  function grids(slices, labels, make) {
    var box = el("div", "slices");
    slices.forEach(function (rows, n) {
      var wrap = el("div");
      var grid = el("div", "grid");
      grid.style.gridTemplateColumns = "repeat(" + (rows[0] || []).length + ", auto)";
      rows.forEach(function (row) { row.forEach(function (c) { grid.appendChild(make(c)); }); });
      wrap.appendChild(grid);
      if (labels && labels[n]) wrap.appendChild(el("div", "slice-label", labels[n]));
      box.appendChild(wrap);
    });
    return box;
  }

  Player.prototype.drawGrid = function (stage) {
    var self = this;
    this.inputCells = [];
    this.gridCells = [];
    var body = grids(this.scene.stages[stage], this.scene.labels[stage], function (c) {
      var node = el("div", "cell " + c[0]);
      if (c[1] !== null) {
        node.setAttribute("data-index", c[1].join(","));
        if (!c[3]) node.classList.add("unread");
        self.inputCells.push(node);
        node.addEventListener("mouseenter", function () { self.hoverInput(c[1]); });
        node.addEventListener("mouseleave", function () { self.unhover(); });
      }
      if (c[2] !== null) node.setAttribute("data-pos", c[2].join(","));
      self.gridCells.push([node, c[2]]);
      return node;
    });
    this.leftBody.replaceChildren(body);
    this.leftTitle.textContent = TITLES[stage];
    this.shown = stage;
  };

  Player.prototype.drawOutputs = function () {
    var self = this;
    var body = grids(this.scene.output, this.scene.labels.output, function (index) {
      var node = el("div", index === null ? "cell g" : "cell o");
      if (index !== null) {
        var key = index.join(",");
        node.setAttribute("data-out", key);
        self.outputCells[key] = node;
        node.addEventListener("mouseenter", function () { self.hoverOutput(index); });
        node.addEventListener("mouseleave", function () { self.unhover(); });
      }
      return node;
    });
    this.outBody.replaceChildren(body);
  };

  Player.prototype.windowOf = function (stop) {
    return this.scene.axes.map(function (axis, a) { return axis.windows[axis.outputs.indexOf(stop[a])]; });
  };
  Player.prototype.readsOf = function (stop) {
    return product(this.scene.axes.map(function (axis, a) { return axis.reads[axis.outputs.indexOf(stop[a])]; }));
  };

  Player.prototype.mark = function (stop, cls, taps) {
    var lit = {};
    this.readsOf(stop).forEach(function (cell) { lit[cell.join(",")] = true; });
    this.inputCells.forEach(function (node) { if (lit[node.getAttribute("data-index")]) node.classList.add(cls); });
    if (!taps) return;
    var windows = this.windowOf(stop);
    this.gridCells.forEach(function (pair) {
      var pos = pair[1];
      if (pos === null) return;
      var inside = pos.every(function (p, a) { return windows[a].indexOf(p) >= 0; });
      if (inside) pair[0].classList.add("tap");
    });
  };

  Player.prototype.clear = function (cls) {
    this.leftBody.querySelectorAll("." + cls).forEach(function (node) { node.classList.remove(cls); });
  };

  Player.prototype.render = function () {
    var step = this.scene.steps[this.step];
    if (this.shown !== step.stage) this.drawGrid(step.stage);
    this.clear("tap");
    this.clear("read");
    if (step.stop) this.mark(step.stop, "read", true);
    var done = {};
    var all = step.stage === "output";
    for (var n = 0; n < this.scene.steps.length; n++) {
      var s = this.scene.steps[n];
      if (s.stop && (all || n <= this.step)) done[s.stop.join(",")] = true;
    }
    var current = step.stop ? step.stop.join(",") : null;
    var cells = this.outputCells;
    Object.keys(cells).forEach(function (key) {
      cells[key].classList.toggle("written", !!done[key] && key !== current);
      cells[key].classList.toggle("current", key === current);
    });
    this.caption.textContent = step.caption;
    this.range.value = String(this.step);
    this.counter.textContent = (this.step + 1) + " / " + this.scene.steps.length;
    if (this.hovered) this.hovered();
  };

  Player.prototype.unhover = function () {
    this.hovered = null;
    this.clear("hl");
    this.outBody.querySelectorAll(".hl").forEach(function (node) { node.classList.remove("hl"); });
  };

  Player.prototype.hoverOutput = function (stop) {
    var self = this;
    this.unhover();
    this.mark(stop, "hl", false);
    this.outputCells[stop.join(",")].classList.add("hl");
    var scene = this.scene;
    if (this.tracer && scene.trace) {
      var intervals = scene.axes.map(function (axis, a) { return scene.trace[a][axis.outputs.indexOf(stop[a])]; });
      var hull = scene.axes.map(function (axis, a) { return scene.hull[a][axis.outputs.indexOf(stop[a])]; });
      this.tracer.show(this.heading, stop, intervals, hull);
    }
    this.hovered = function () { self.mark(stop, "hl", false); };
  };

  Player.prototype.hoverInput = function (index) {
    var self = this;
    this.unhover();
    var lists = this.readers.map(function (map, a) { return map[index[a]] || []; });
    var cells = this.outputCells;
    var light = function () {
      product(lists).forEach(function (stop) { var node = cells[stop.join(",")]; if (node) node.classList.add("hl"); });
      self.inputCells.forEach(function (node) { if (node.getAttribute("data-index") === index.join(",")) node.classList.add("hl"); });
    };
    light();
    this.hovered = light;
  };

  var tracer = data.input.length ? new Tracer(data.input) : null;
  if (tracer) { document.body.appendChild(tracer.box); document.body.classList.add("traced"); }
  data.sections.forEach(function (section, n) {
    var box = el("section", "layer");
    box.id = "layer-" + (n + 1);
    box.appendChild(el("h2", null, section.heading));
    root.appendChild(box);
    if (section.text !== undefined) {
      box.appendChild(el("p", "row-text", section.text));
      return;
    }
    box.player = new Player(box, section.scene, section.heading, tracer);
  });
  document.addEventListener("keydown", function (event) {
    var players = Array.prototype.map.call(document.querySelectorAll("section.layer"), function (s) { return s.player; })
      .filter(function (p) { return p; });
    if (players.length !== 1) return;
    var p = players[0];
    if (event.key === " ") { event.preventDefault(); if (p.timer) p.pause(); else p.start(); }
    if (event.key === "ArrowRight") { p.pause(); p.go(p.step + 1); }
    if (event.key === "ArrowLeft") { p.pause(); p.go(p.step - 1); }
  });
  document.body.setAttribute("data-ready", "true");
})();
