// flaskscope report: the timeline's marks show their message on hover and focus, and open
// it below on click or Enter. No data is read from anywhere but the page's own attributes,
// and text is only ever set with textContent.
(function () {
  "use strict";

  function idOf(fragment) {
    try {
      return decodeURIComponent(fragment);
    } catch (error) {
      return fragment;
    }
  }

  function openTarget(id) {
    var target = document.getElementById(id);
    if (!target) {
      return null;
    }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
    var current = document.querySelectorAll(".entry.current");
    for (var i = 0; i < current.length; i += 1) {
      current[i].classList.remove("current");
    }
    if (target.classList.contains("entry")) {
      target.classList.add("current");
    }
    return target;
  }

  function markOf(node) {
    return node && node.closest ? node.closest("a.mark") : null;
  }

  function show(mark) {
    var svg = mark.closest("svg");
    var info = svg ? document.getElementById(svg.getAttribute("data-info")) : null;
    if (info) {
      info.textContent = mark.getAttribute("aria-label");
    }
  }

  function follow(link, event) {
    var href = link.getAttribute("href") || "";
    if (href.charAt(0) !== "#") {
      return;
    }
    var target = openTarget(idOf(href.slice(1)));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "start" });
      var summary = target.querySelector("summary");
      (summary || target).focus({ preventScroll: true });
    }
  }

  var timelines = document.querySelectorAll("svg.tl");
  for (var t = 0; t < timelines.length; t += 1) {
    timelines[t].addEventListener("mouseover", function (event) {
      var mark = markOf(event.target);
      if (mark) {
        show(mark);
      }
    });
    timelines[t].addEventListener("focusin", function (event) {
      var mark = markOf(event.target);
      if (mark) {
        show(mark);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.mark, a.jump") : null;
    if (link) {
      follow(link, event);
    }
  });

  // One tab stop per timeline (a roving tabindex): the arrow keys, Home and End move
  // between its marks, so a keyboard user is not made to Tab through thousands of them.
  var steps = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  function moveFocus(mark, event) {
    var marks = mark.closest("svg").querySelectorAll("a.mark");
    var index = Array.prototype.indexOf.call(marks, mark);
    var next = index;
    if (event.key in steps) {
      next = Math.min(marks.length - 1, Math.max(0, index + steps[event.key]));
    } else if (event.key === "Home") {
      next = 0;
    } else if (event.key === "End") {
      next = marks.length - 1;
    } else {
      return;
    }
    event.preventDefault();
    mark.setAttribute("tabindex", "-1");
    marks[next].setAttribute("tabindex", "0");
    marks[next].focus();
  }

  document.addEventListener("keydown", function (event) {
    var mark = markOf(event.target);
    if (!mark) {
      return;
    }
    if (event.key === "Enter" || event.key === " ") {
      follow(mark, event);
    } else {
      moveFocus(mark, event);
    }
  });

  if (location.hash.length > 1) {
    var start = openTarget(idOf(location.hash.slice(1)));
    if (start) {
      start.scrollIntoView({ block: "start" });
    }
  }
})();
