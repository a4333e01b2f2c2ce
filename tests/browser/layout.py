"""What passes the screen's edge on a phone, read in the page itself."""

from __future__ import annotations

MOBILE = {"width": 390, "height": 844}

# Every element of the page's own content (the header's links scroll sideways in their own strip
# on a phone) whose right edge passes the screen's, or passes the inside of the box that holds it
# (into its padding or border: a table sticking out of its card), and the page's own width.
OVERFLOW = """[...document.querySelectorAll('main *')].filter(e => {
    const box = e.getBoundingClientRect(), parent = e.parentElement, style = getComputedStyle(parent);
    const inside = parent.getBoundingClientRect().right - parseFloat(style.paddingRight)
      - parseFloat(style.borderRightWidth);
    return box.width > 0 && (box.right > window.innerWidth + 0.5 || box.right > inside + 1);
  })
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))
  .concat(document.documentElement.scrollWidth > window.innerWidth ? ['the page scrolls sideways'] : [])"""
