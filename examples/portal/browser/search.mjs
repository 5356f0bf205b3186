// Browser check of the portal's search (issue 4) in Debian's Chromium, driven by
// playwright-core: the as-you-type suggestions of the header search box (pinyin
// initials, keyboard, Escape), a Traditional-character query submitted from the box,
// the results page's highlights and its groups by kind and by site, and the same on a
// phone-sized screen. Needs a portal seeded with the small demo at PORTAL_URL (see ./run).
// Exits non-zero on the first failed expectation.
import { chromium } from "playwright-core";

const base = process.env.PORTAL_URL || "http://127.0.0.1:18080";
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const timeout = 15000;

let failures = 0;
async function step(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`FAIL ${name}\n     ${String(e && e.message ? e.message : e).split("\n").join("\n     ")}`);
  }
}

function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  for (const [label, viewport] of [
    ["desktop", { width: 1280, height: 900 }],
    ["phone", { width: 375, height: 740 }],
  ]) {
    const context = await browser.newContext({ viewport, locale: "zh-CN" });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    await step(`${label}: the home page has a visible search box with suggestions`, async () => {
      await page.goto(base + "/");
      const box = page.locator("input[data-suggest]").first();
      await box.waitFor({ state: "visible" });
      expect((await box.getAttribute("role")) === "combobox", "search.js did not set up the box as a combobox");
    });

    await step(`${label}: typing pinyin initials "wwx" suggests 无为县人民政府`, async () => {
      const box = page.locator("input[data-suggest]").first();
      await box.click();
      await box.pressSequentially("wwx", { delay: 40 });
      const option = page.locator(".suggest-list [role=option]", { hasText: "无为县人民政府" }).first();
      await option.waitFor({ state: "visible" });
      expect((await box.getAttribute("aria-expanded")) === "true", "aria-expanded is not true while the list shows");
    });

    await step(`${label}: arrow keys select a suggestion and Escape closes the list`, async () => {
      const box = page.locator("input[data-suggest]").first();
      await box.press("ArrowDown");
      const active = await box.getAttribute("aria-activedescendant");
      expect(active, "no aria-activedescendant after ArrowDown");
      expect((await page.locator(`[id="${active}"]`).getAttribute("aria-selected")) === "true", "the active option is not selected");
      await box.press("Escape");
      await page.locator(".suggest-list").first().waitFor({ state: "hidden" });
      expect((await box.getAttribute("aria-expanded")) === "false", "aria-expanded is not false after Escape");
    });

    await step(`${label}: 經濟 (Traditional) submitted from the box finds 经济, highlighted, grouped by kind and site`, async () => {
      const box = page.locator("input[data-suggest]").first();
      await box.fill("經濟");
      await Promise.all([page.waitForURL(/\/search\?/), box.press("Enter")]);
      const hits = page.locator(".search-hit");
      await hits.first().waitFor({ state: "visible" });
      const marked = await page.locator(".search-hit em").allTextContents();
      expect(marked.length > 0, "no highlighted match in the results");
      expect(marked.every((t) => t === "经济"), `unexpected highlights: ${marked.slice(0, 5).join(", ")}`);
      const total = await page.locator(".search-total").textContent();
      const n = Number((total || "").replace(/\D+/g, ""));
      expect(n > 0, `no total in "${total}"`);
      const kinds = await page.locator("nav.facets:not(.facets-sites) a .count").allTextContents();
      const sites = await page.locator("nav.facets-sites a .count").allTextContents();
      expect(kinds.length >= 2 && Number(kinds[0]) === n, `kind groups ${kinds.join(",")} do not add up to ${n}`);
      expect(sites.length >= 2 && Number(sites[0]) === n, `site groups ${sites.join(",")} do not add up to ${n}`);
      const byKind = kinds.slice(1).reduce((a, b) => a + Number(b), 0);
      expect(byKind === n, `kinds sum to ${byKind}, total ${n}`);
    });

    await step(`${label}: a kind group narrows the results to that kind`, async () => {
      const link = page.locator("nav.facets:not(.facets-sites) a", { hasText: "文章" }).first();
      const expected = Number(await link.locator(".count").textContent());
      await Promise.all([page.waitForURL(/kind=article/), link.click()]);
      const total = Number(((await page.locator(".search-total").textContent()) || "").replace(/\D+/g, ""));
      expect(total === expected, `the 文章 group said ${expected}, the page says ${total}`);
      const labels = await page.locator(".search-hit .hit-kind").allTextContents();
      expect(labels.length > 0 && labels.every((t) => t.trim() === "文章"), `kinds on the page: ${labels.join(",")}`);
    });

    await step(`${label}: no script errors`, async () => {
      expect(errors.length === 0, errors.join("\n"));
    });
    await context.close();
  }
} finally {
  await browser.close();
}

if (failures > 0) {
  console.log(`${failures} browser check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
