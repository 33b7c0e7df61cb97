//! The browser tests' shared means: Debian's chromium driven through chromedriver over WebDriver,
//! the steps a person takes (fill, click, sign in), and the checks every page a journey visits must
//! pass: axe-core's serious and critical rules, the keyboard alone, and a screen 320 px wide. A
//! step that panics leaves a screenshot of the browser under `target/screenshots`.
//!
//! Where chromedriver or axe-core is not installed the tests skip with a notice; under `CI=true`
//! that is a failure (`.ci/run` installs both).

use std::future::Future;
use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

use super::{Backend, TestApp, PASSWORD};

/// Whether this is the CI run, where nothing may skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A chromedriver process of this test's own, stopped when dropped.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

impl ChromeDriver {
    pub fn start() -> Option<Self> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            assert!(!under_ci(), "chromium and chromium-driver are needed for the browser tests under CI");
            super::skip_notice("browser tests skipped: install Debian's chromium and chromium-driver to run them");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(ChromeDriver { child, url })
    }

    pub async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1600"],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

pub async fn fill(browser: &Client, selector: &str, text: &str) {
    browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

pub async fn click(browser: &Client, selector: &str) {
    browser.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("{selector}: {e}")).click().await.unwrap();
}

/// Waits for the page a form or link led to: its header says who is signed in.
pub async fn signed_in_page(browser: &Client) {
    browser
        .wait()
        .for_element(Locator::XPath("//span[starts-with(normalize-space(.), 'Signed in as')]"))
        .await
        .expect("a signed-in page");
}

/// Signs in as a test user of [`super::service`] (every one has [`PASSWORD`]).
pub async fn sign_in(browser: &Client, app: &TestApp, email: &str) {
    browser.goto(&format!("{}/sign-in", app.address)).await.unwrap();
    fill(browser, "#email", email).await;
    fill(browser, "#password", PASSWORD).await;
    click(browser, "main form button[type=submit]").await;
    signed_in_page(browser).await;
}

/// A demo person's address, by the role word of their demo password (`demo-{who}-2026`).
pub fn demo_email(who: &str) -> String {
    match who {
        "commissioner" => "commissioner@northshire-nhs.example".to_string(),
        "assessor" => "assessor@seqohs-assessor.example".to_string(),
        _ => format!("{who}@northshire-oh.example"),
    }
}

/// Signs in with the demo's own passwords.
pub async fn sign_in_demo(browser: &Client, app: &TestApp, who: &str) {
    browser.goto(&format!("{}/sign-in", app.address)).await.unwrap();
    fill_sign_in_demo(browser, who).await;
}

/// Fills in and sends the sign-in form already open, with the demo's own password.
pub async fn fill_sign_in_demo(browser: &Client, who: &str) {
    fill(browser, "#email", &demo_email(who)).await;
    fill(browser, "#password", &format!("demo-{who}-2026")).await;
    click(browser, "main form button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::XPath("//span[starts-with(normalize-space(.), 'Signed in as')]"))
        .await
        .unwrap_or_else(|e| panic!("{who} signs in: {e}"));
}

/// A Chrome DevTools command sent through chromedriver's own endpoint: WebDriver has no words for a
/// small device's screen, print media or where downloads go.
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(serde_json::json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

pub async fn dev_tools(browser: &Client, cmd: &'static str, params: serde_json::Value) {
    browser.issue_cmd(DevTools { cmd, params }).await.unwrap_or_else(|e| panic!("{cmd}: {e}"));
}

// Screenshots of a failed step.

/// A future that turns a panic while it is polled into an `Err`, as `std::panic::catch_unwind`
/// does for a closure: the browser that the panicking step used is still open afterwards.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// The repository's `target/screenshots` (not `CARGO_TARGET_DIR`'s: the screenshots are for the
/// person reading the failure, beside the code).
pub fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots")
}

/// Runs one step of a browser test; if it panics, saves a PNG of what the browser shows then as
/// `target/screenshots/{test}-{backend}-{step}.png`, says where, ends the browser's session and
/// panics on with the step's own message.
pub async fn step<T>(browser: &Client, test: &str, backend: Backend, step: &str, work: impl Future<Output = T>) -> T {
    match CatchUnwind(Box::pin(work)).await {
        Ok(value) => value,
        Err(panic) => {
            let dir = screenshots_dir();
            let path = dir.join(format!("{test}-{}-{step}.png", backend.name()));
            let saved = match browser.screenshot().await {
                Ok(png) => {
                    std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, png)).map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            match saved {
                Ok(()) => eprintln!("screenshot of the failed step {step}: {}", path.display()),
                Err(e) => eprintln!("no screenshot of the failed step {step}: {e}"),
            }
            // The session ends here, so chromedriver closes its chromium: stopping chromedriver
            // alone (when the test's `ChromeDriver` drops) would leave the browser running.
            let _ = browser.clone().close().await;
            std::panic::resume_unwind(panic)
        }
    }
}

// The keyboard.

/// Presses `key` `times` times, in one action sequence.
pub async fn press(browser: &Client, key: Key, times: usize) {
    let key: char = key.into();
    let mut keys = KeyActions::new("keyboard".into());
    for _ in 0..times {
        keys = keys.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    }
    browser.perform_actions(keys).await.unwrap_or_else(|e| panic!("press {key:?}: {e}"));
}

/// Presses `key` while holding `modifier` down (Ctrl+A: `chord(browser, Key::Control, 'a')`).
pub async fn chord(browser: &Client, modifier: Key, key: char) {
    let modifier: char = modifier.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: modifier })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: modifier });
    browser.perform_actions(keys).await.unwrap_or_else(|e| panic!("{modifier:?}+{key}: {e}"));
}

/// Types `text` on the keyboard, into whatever has the focus.
pub async fn type_text(browser: &Client, text: &str) {
    let mut keys = KeyActions::new("keyboard".into());
    for c in text.chars() {
        keys = keys.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
    }
    browser.perform_actions(keys).await.unwrap_or_else(|e| panic!("type {text:?}: {e}"));
}

/// The focused element's id (or, without one, its tag and text), for moving by Tab to a field.
pub async fn focused(browser: &Client) -> String {
    let found = browser
        .execute(
            "const e = document.activeElement;
             return e ? (e.id || `${e.tagName.toLowerCase()}:${(e.innerText || e.value || '').trim().slice(0, 60)}`) : '';",
            vec![],
        )
        .await
        .unwrap();
    found.as_str().unwrap_or_default().to_string()
}

/// Presses Tab until the element `is` (as [`focused`] names it) has the focus; panics if it is not
/// reached within `limit` presses.
pub async fn tab_to(browser: &Client, is: &str, limit: usize) {
    let mut path = Vec::new();
    for _ in 0..limit {
        press(browser, Key::Tab, 1).await;
        let now = focused(browser).await;
        if now == is {
            return;
        }
        path.push(now);
    }
    panic!("{is} is not reached by Tab in {limit} presses; the focus went {path:?}");
}

/// Marks every element that Tab should reach, in the order it should reach them, and listens for
/// each element the focus lands on, noting whether its focus is visible as it lands. Returns how
/// many it expects.
///
/// Reached: links with an address, buttons, fields (one per group of radio buttons: the chosen one,
/// else the first), a details' own summary, and anything given `tabindex="0"`; not disabled, not
/// hidden, not inside a closed details. A focus is visible when the element has an outline (of
/// some width, style and a colour that is not transparent) or a box shadow while it has the focus.
const KEYBOARD_SETUP: &str = r#"
const selector = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, [tabindex], [contenteditable]:not([contenteditable=false])';
const shown = (el) => {
  if (el.disabled || el.closest('[inert]')) return false;
  if (el.hasAttribute('tabindex') && el.tabIndex < 0) return false;
  if (el.tagName === 'SUMMARY' && !(el.parentElement.tagName === 'DETAILS' && el.parentElement.querySelector(':scope > summary') === el)) return false;
  const closed = el.closest('details:not([open])');
  if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) return false;
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.display === 'none') return false;
  }
  const style = getComputedStyle(el);
  return style.visibility === 'visible' && el.getClientRects().length > 0;
};
const candidates = [...document.querySelectorAll(selector)].filter(shown);
const groups = new Map();
const expected = candidates.filter((el) => {
  if (el.tagName !== 'INPUT' || el.type !== 'radio' || !el.name) return true;
  const key = `${el.form ? [...document.forms].indexOf(el.form) : -1}/${el.name}`;
  if (!groups.has(key)) {
    const group = candidates.filter((o) => o.tagName === 'INPUT' && o.type === 'radio' && o.name === el.name && o.form === el.form);
    groups.set(key, group.find((o) => o.checked) || group[0]);
  }
  return groups.get(key) === el;
});
const describe = (el) => {
  const id = el.id ? `#${el.id}` : '';
  const name = el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '';
  const cls = !id && el.classList.length ? `.${[...el.classList].join('.')}` : '';
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 50);
  return `${el.tagName.toLowerCase()}${id}${name}${cls}${text ? ` "${text}"` : ''}`;
};
const visible = (el) => {
  const s = getComputedStyle(el);
  const colour = s.outlineColor.match(/rgba?\(([^)]+)\)/);
  const alpha = colour ? (colour[1].split(/[ ,\/]+/).filter(Boolean).map(Number)[3] ?? 1) : 1;
  const outline = parseFloat(s.outlineWidth) > 0 && s.outlineStyle !== 'none' && alpha > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return outline || shadow;
};
// Start from the top of the page, wherever the focus is (a refused form's summary takes it as the
// page opens): focus a stand-in at the start of the body and remove it, which leaves the next Tab
// to go to the first stop.
const start = document.createElement('span');
start.tabIndex = -1;
document.body.prepend(start);
start.focus();
start.remove();
window.scrollTo(0, 0);
window.__keyboard = { expected, describe, seen: [] };
document.addEventListener('focusin', (event) => {
  const el = event.target;
  window.__keyboard.seen.push({ el, visible: visible(el) });
}, true);
return expected.length;
"#;

/// What Tab reached against what it should have, after [`KEYBOARD_SETUP`] and the presses.
const KEYBOARD_REPORT: &str = r#"
const { expected, describe, seen } = window.__keyboard;
const reached = seen.map((s) => s.el);
const problems = [];
const positive = [...document.querySelectorAll('[tabindex]')].filter((el) => el.tabIndex > 0);
for (const el of positive) problems.push(`${describe(el)} has a positive tabindex (${el.tabIndex}), which breaks the document order`);
if (expected.length && !expected[0].classList.contains('skip-link')) problems.push(`the first element Tab reaches should be the skip link, not ${describe(expected[0])}`);
for (const el of expected) if (!reached.includes(el)) problems.push(`${describe(el)} is never reached by Tab`);
const stray = [...new Set(reached.filter((el) => !expected.includes(el)))];
for (const el of stray) problems.push(`Tab reaches ${describe(el)}, which is hidden or not meant to take the focus`);
const order = reached.slice(0, expected.length);
const first = order.findIndex((el, i) => el !== expected[i]);
if (first >= 0 && problems.length === 0) {
  problems.push(`Tab leaves the document order at stop ${first + 1}: ${describe(order[first])} where ${describe(expected[first])} comes next (a trap or a jump)`);
}
const unseen = [...new Set(seen.filter((s) => !s.visible).map((s) => s.el))];
for (const el of unseen) problems.push(`${describe(el)} shows no visible focus (no outline or box shadow while focused)`);
return problems;
"#;

/// Tabs through the whole open page and returns what is wrong: an element Tab never reaches, one
/// it reaches that it should not, the focus out of document order (or held in a trap), a positive
/// tabindex, a first stop that is not the skip link, a focus that cannot be seen.
pub async fn keyboard_problems(browser: &Client) -> Vec<String> {
    let expected = browser.execute(KEYBOARD_SETUP, vec![]).await.unwrap();
    let expected = expected.as_u64().expect("a count") as usize;
    // One press more than there are stops: a trap would show as the same stop again, and the
    // last stop's Tab must leave it.
    press(browser, Key::Tab, expected + 1).await;
    let found = browser.execute(KEYBOARD_REPORT, vec![]).await.unwrap();
    serde_json::from_value(found).unwrap()
}

// A small screen.

/// The open page's widths on the screen it is shown on: the page's, the screen's, its tables, the
/// tables in a scrolling region named for a screen reader and reachable by keyboard, whether any
/// of those scrolls, and the last few elements outside a table wider than the screen.
const WIDTHS: &str = "const wraps = [...document.querySelectorAll('.table-wrap')];
     return { page: document.documentElement.scrollWidth, screen: window.innerWidth,
              tables: document.querySelectorAll('table').length,
              wrapped: wraps.filter((w) => w.querySelector('table') && w.tabIndex === 0
                  && w.getAttribute('role') === 'region' && w.getAttribute('aria-label')).length,
              scrolls: wraps.some((w) => w.scrollWidth > w.clientWidth),
              outside_tables_too_wide: [...document.querySelectorAll('body *')].filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > Math.min(window.innerWidth, screen.width) + 1).slice(-3).map((e) => e.outerHTML.slice(0, 200)) };";

/// A phone 320 px wide, as Chrome's device emulation draws it.
pub async fn phone_screen(browser: &Client) {
    let phone = serde_json::json!({ "width": 320, "height": 720, "deviceScaleFactor": 1, "mobile": true });
    dev_tools(browser, "Emulation.setDeviceMetricsOverride", phone).await;
}

/// Back to the browser's own window.
pub async fn full_screen(browser: &Client) {
    dev_tools(browser, "Emulation.clearDeviceMetricsOverride", serde_json::json!({})).await;
}

/// The open page's widths on the screen it is shown now.
pub async fn widths(browser: &Client) -> serde_json::Value {
    browser.execute(WIDTHS, vec![]).await.unwrap()
}

/// What is wrong with a page's [`widths`] on a phone: a screen that is not 320 px wide, a page wider
/// than it, a table that does not sit in its own named, focusable, scrolling region.
pub fn narrow_problems(widths: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    if widths["screen"] != 320 {
        problems.push(format!("the screen is not 320 px wide: {widths}"));
    }
    if widths["page"].as_i64() > widths["screen"].as_i64() {
        problems.push(format!("the page is wider than the screen: {widths}"));
    }
    if widths["wrapped"] != widths["tables"] {
        problems.push(format!("a table is not in its own named, focusable, scrolling region: {widths}"));
    }
    problems
}

/// Measures the open page on the phone's screen ([`phone_screen`], already set) and asserts it fits
/// ([`narrow_problems`]); returns the figures, for a caller that expects a table to scroll.
pub async fn assert_fits_320(browser: &Client, page: &str) -> serde_json::Value {
    let widths = widths(browser).await;
    let problems = narrow_problems(&widths);
    assert!(problems.is_empty(), "{page} at 320 px: {}", problems.join("; "));
    widths
}

// axe-core.

/// axe-core's script, from `tests/axe` (`npm ci --prefix tests/axe`), or None (with a notice)
/// where it is not installed; under `CI=true` that fails.
pub fn axe_script() -> Option<&'static str> {
    static SCRIPT: OnceLock<Option<String>> = OnceLock::new();
    SCRIPT
        .get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
            match std::fs::read_to_string(&path) {
                Ok(script) => Some(script),
                Err(e) => {
                    assert!(
                        !under_ci(),
                        "axe-core is needed under CI ({}: {e}); run npm ci --prefix tests/axe",
                        path.display()
                    );
                    super::skip_notice(
                        "axe-core checks skipped (the keyboard and 320 px checks still run): run `npm ci --prefix tests/axe`",
                    );
                    None
                }
            }
        })
        .as_deref()
}

/// Runs axe-core on the open page and lists every violation of serious or critical impact: its
/// rule, impact, the selectors of the elements at fault and the rule's help. axe's promise is
/// returned by the script, which chromedriver awaits.
const AXE_RUN: &str = r#"
return axe.run(document, { resultTypes: ['violations'] }).then((results) =>
  results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')} (${v.helpUrl})`));
"#;

/// The open page's serious and critical axe-core violations, or None where axe is not installed.
pub async fn axe_violations(browser: &Client) -> Option<Vec<String>> {
    let script = axe_script()?;
    let loaded = browser.execute("return typeof axe !== 'undefined';", vec![]).await.unwrap();
    if loaded != true {
        browser.execute(&format!("{script}\n;return true;"), vec![]).await.expect("axe-core loads into the page");
    }
    let found = browser.execute(AXE_RUN, vec![]).await.expect("axe runs");
    Some(serde_json::from_value(found).unwrap())
}

/// Every check a page of a journey must pass, on the page as it is open now: axe-core's serious and
/// critical rules, the keyboard alone ([`keyboard_problems`]) and a screen 320 px wide
/// ([`assert_fits_320`]). Panics with every problem found, named by `page`.
pub async fn assert_accessible(browser: &Client, page: &str) {
    let mut problems = Vec::new();
    if let Some(violations) = axe_violations(browser).await {
        problems.extend(violations.into_iter().map(|v| format!("axe: {v}")));
    }
    problems.extend(keyboard_problems(browser).await.into_iter().map(|p| format!("keyboard: {p}")));
    phone_screen(browser).await;
    let narrow = widths(browser).await;
    full_screen(browser).await;
    problems.extend(narrow_problems(&narrow).into_iter().map(|p| format!("320 px: {p}")));
    assert!(problems.is_empty(), "{page} is not accessible:\n  {}", problems.join("\n  "));
}
