"""report.html in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven
by Selenium. The page is built from the committed CPU results; the test fails on any console
message of level SEVERE, on any network request other than the page itself, on a chart that did
not draw, and when moving the α slider leaves the ELU curve unchanged. It saves a screenshot
(ELUBENCH_SCREENSHOT names where; default: the test's temp folder).

Skips, with the reason, where Chromium or its driver is not installed (scripts/install_deps.sh
installs both)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_script

selenium = pytest.importorskip("selenium", reason="selenium is not installed (scripts/requirements.txt)")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

COMMITTED = ROOT / "results" / "cpu-intel-xeon-avx512-2core-vm.json"


def _binaries():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    chromium, chromedriver = _binaries()
    if not chromium or not chromedriver:
        pytest.skip("chromium and chromium-driver are not installed (scripts/install_deps.sh installs them)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1800", "--hide-scrollbars", "--force-device-scale-factor=1"):
        opts.add_argument(a)
    # Browser console and the DevTools network events, read back after the page loads.
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _requests(driver):
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            out.append(msg["params"]["request"]["url"])
        elif msg["method"] == "Network.loadingFailed":
            out.append("FAILED " + msg["params"].get("errorText", ""))
    return out


def _elu_path(driver):
    return driver.find_element(By.CSS_SELECTOR, '#alpha-f path[data-series="elu"]').get_attribute("d")


def test_committed_report_in_chromium(browser, tmp_path):
    page = tmp_path / "report.html"
    # The path as the README's command gives it, so the screenshot shows no temp folder.
    res = run_script("report.py", os.path.relpath(COMMITTED), "-o", page)
    assert res.returncode == 0, res.stderr
    url = page.resolve().as_uri()
    browser.get(url)
    assert browser.execute_script("return document.body.dataset.ready") == "1", "report.js did not finish"

    severe = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not severe, f"console errors: {severe}"
    requests = _requests(browser)
    assert requests and all(u == url for u in requests), f"requests other than the page: {requests}"

    charts = browser.find_elements(By.CSS_SELECTOR, ".chart")
    doc = json.loads(COMMITTED.read_text())
    dtypes = {r["dtype"] for r in doc["results"]}
    panels = {(r["device"], r["threads"]) for r in doc["results"]}
    acts = {r["activation"] for r in doc["results"]} - {"relu", "copy"}
    # Per panel: 2 headline charts, one throughput chart per dtype, accuracy; the side-by-side
    # comparison (several panels): one per activation and dtype; the explorer's 2.
    assert len(charts) == len(panels) * (3 + len(dtypes)) + len(acts) * len(dtypes) + 2
    for c in charts:
        assert c.get_attribute("data-rendered") == "1", f"chart not drawn: {c.text[:80]}"
        assert int(c.find_element(By.CSS_SELECTOR, "svg.plot").get_attribute("data-points")) > 0

    headline = browser.find_element(By.CSS_SELECTOR, ".panel .headline").text
    assert "elu, f32" in headline and "× ReLU's time" in headline

    # The table lists every row, and sorting by GB/s puts the fastest first.
    assert browser.find_element(By.ID, "row-count").text == f"{len(doc['results'])} of {len(doc['results'])} rows"
    gbps_col = browser.find_element(By.XPATH, "//table[@id='rows-table']//th[text()='GB/s']")
    gbps_col.click()
    gbps_col.click()
    first = browser.find_element(By.CSS_SELECTOR, "#rows-table tbody tr td:nth-child(11)").text
    assert float(first) == pytest.approx(max(r["gbps"] for r in doc["results"] if r["gbps"]), rel=5e-3)  # shown to 3 digits

    # Hovering a point shows the row's name and its samples' spread.
    point = browser.find_element(By.CSS_SELECTOR, ".panel .row2 + h3 + .row2 .chart circle.pt")
    webdriver.ActionChains(browser).move_to_element(point).perform()
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed() and "samples" in tip.text and "cpu/" in tip.text

    # The slider redraws ELU: α 1 -> 1.5 with the keyboard, as a user would.
    before = _elu_path(browser)
    slider = browser.find_element(By.ID, "alpha-slider")
    for _ in range(10):
        slider.send_keys(Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "alpha-value").text == "1.50"
    after = _elu_path(browser)
    assert after != before
    relu_after = browser.find_element(By.CSS_SELECTOR, '#alpha-f path[data-series="relu"]').get_attribute("d")
    assert relu_after, "ReLU is drawn beside ELU"
    assert not [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]

    shot = Path(os.environ.get("ELUBENCH_SCREENSHOT", tmp_path / "report.png"))
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.save_screenshot(str(shot)), "screenshot failed"
    assert shot.stat().st_size > 10_000


def test_explorer_draws_every_activation_it_has_a_formula_for(browser, tmp_path, write):
    """A schema-3 run with GELU, SiLU, Leaky ReLU, SELU, Softplus (beta 2), Mish and backward rows
    (hand-made fixture), plus an activation the report has no formula for: the explorer draws each
    known curve and its derivative beside ELU and ReLU, names the unknown one, and the headline
    gives fwd+bwd."""
    from conftest import make_run
    acts = [("gelu", 1.3), ("gelu_tanh", 1.25), ("silu", 1.2), ("leaky_relu", 1.0), ("selu", 1.1),
            ("softplus", 1.3), ("mish", 1.4), ("elu_backward", 1.6), ("relu_backward", 1.5), ("hardswish", 1.4)]
    doc = make_run(v3=True, acts=acts, dtypes=("f32", "bf16"))
    doc["config"]["negative_slope"] = 0.2
    for r in doc["results"]:
        if r["activation"] == "leaky_relu":
            r["params"] = {"negative_slope": 0.2}
        if r["activation"] == "softplus":
            r["params"] = {"beta": 2.0}
    page = tmp_path / "extra.html"
    res = run_script("report.py", write(doc, "extra.json"), "-o", page)
    assert res.returncode == 0, res.stderr
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return document.body.dataset.ready") == "1", "report.js did not finish"
    assert not [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    for c in browser.find_elements(By.CSS_SELECTOR, ".chart"):
        assert c.get_attribute("data-rendered") == "1", f"chart not drawn: {c.text[:80]}"
    for chart in ("alpha-f", "alpha-df"):
        drawn = {p.get_attribute("data-series") for p in browser.find_elements(By.CSS_SELECTOR, f"#{chart} path[data-series]")}
        assert drawn == {"elu", "relu", "gelu", "gelu_tanh", "silu", "leaky_relu", "selu", "softplus", "mish"}, (chart, drawn)
    assert "hardswish" in browser.find_element(By.ID, "alpha-missing").text
    legend = browser.find_element(By.CSS_SELECTOR, "#alpha-f .legend").text
    assert "leaky_relu (slope 0.2)" in legend  # the run's slope, not a default
    assert "softplus (β 2)" in legend  # the rows' beta
    headline = browser.find_element(By.CSS_SELECTOR, ".panel .headline").text
    assert "gelu, f32" in headline and "silu, bf16" in headline
    assert "forward + backward" in headline  # elu has elu_backward and relu_backward rows
    cost = browser.find_elements(By.CSS_SELECTOR, ".panel .row2 .chart")[0]
    series = {g.get_attribute("data-series") for g in cost.find_elements(By.CSS_SELECTOR, "g[data-series]")}
    assert "elu f32 fwd+bwd" in series and "gelu f32" in series and "hardswish f32" in series


def _hostile_page(tmp_path, strings):
    """A report whose every free string is one of `strings`, variant and activation names too:
    rendered by report.render directly, past the schema (which refuses such names), so the page's
    own defences are what the browser sees."""
    import report
    from conftest import make_run
    doc = make_run(v3=True, extra_rows=[])
    s = iter(strings * 8)
    doc["host"].update(cpu_model=next(s), hostname=next(s), simd_target=next(s))
    doc["tool"]["version"], doc["created"] = next(s), next(s)
    doc["config"]["command_line"] = next(s)
    for r in doc["results"]:
        if r["activation"] == "elu":
            r["variant"] = r["variant"] + next(s) if r["variant"] == "vectorized" else r["variant"]
            r["name"] = f"cpu/elu/{r['variant']}/f32"
    name = next(s)
    page = tmp_path / "hostile.html"
    page.write_text(report.render([doc], [name], "hostile strings"))
    return page, doc


def _page_is_inert(browser, page, expect):
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return document.body.dataset.ready") == "1", "report.js did not finish"
    assert browser.title == "hostile strings"
    assert not [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1
    assert browser.execute_script("return document.querySelectorAll('img, iframe, object, embed').length") == 0
    got = browser.execute_script("return [DATA.files[0].host.cpu_model, DATA.files[0].path]")
    assert got == expect


def test_a_variant_named_like_markup_stays_text(browser, tmp_path):
    """A variant `<img src=x onerror=...>` stays text: every data string lands in a text node
    (never innerHTML), and the page's CSP allows only its own script (by hash), so even markup
    that slipped through could not run."""
    from hostile import XSS
    page, doc = _hostile_page(tmp_path, [XSS, "/*{{JS}}*/ " + XSS])
    _page_is_inert(browser, page, [XSS, "/*{{JS}}*/ " + XSS])
    headline = browser.find_element(By.CSS_SELECTOR, ".panel .headline").text
    assert "vectorized" + XSS in headline  # shown as the text it is
    assert browser.find_element(By.ID, "row-count").text.startswith(f"{len(doc['results'])} of")


def test_random_strings_never_become_markup_in_the_page(browser, tmp_path):
    """Hypothesis: random strings (markup, placeholders, control characters) in every free field
    of the page's data; each page loads, runs its one script, keeps its title and shows the
    strings as they are."""
    import re
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hostile import hostile_text

    # Lone surrogates are the loader's and the Markdown writers' concern: what WebDriver hands
    # back for one is not what the page holds.
    text = hostile_text.map(lambda s: re.sub("[\ud800-\udfff]", "\ufffd", s))

    @settings(max_examples=6, deadline=None, derandomize=True, database=None)
    @given(st.lists(text, min_size=2, max_size=2))
    def check(strings):
        page, _ = _hostile_page(tmp_path, strings)
        _page_is_inert(browser, page, strings)
    check()


def test_the_policy_stops_markup_that_slipped_through(browser, tmp_path):
    """The second wall: markup planted straight into the page (as a missed escape would put it)
    does not run, because the policy allows the page's one script by its hash and nothing else."""
    page, _ = _hostile_page(tmp_path, ["cpu", "file.json"])
    text = page.read_text()
    page.write_text(text.replace("<main id=\"main\"></main>", "<main id=\"main\"></main>" + XSS_PLANT, 1))
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return document.body.dataset.ready") == "1"
    assert browser.title == "hostile strings"
    logs = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert any("Content Security Policy" in m for m in logs), logs


XSS_PLANT = "<img src=x onerror=\"document.title='PWNED'\"><script>document.title='PWNED'</script>"


def test_a_layer_run_shows_its_sentence_and_no_error(browser, tmp_path, write):
    """A run of layer rows only (elubench --layers, the fixture of test_layers.py): the panel states
    what ELU costs inside the layer, the elementwise charts are not drawn from layer rows, and the
    page loads without a console error."""
    from test_layers import layer_run
    page = tmp_path / "layers.html"
    res = run_script("report.py", write(layer_run(), "layers.json"), "-o", page)
    assert res.returncode == 0, res.stderr
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return document.body.dataset.ready") == "1", "report.js did not finish"
    assert not [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    text = browser.find_element(By.CSS_SELECTOR, ".panel").text
    assert "What ELU costs inside a layer" in text
    assert "inside a (4096, 1024) layer at 256 rows, ELU costs 1.06x ReLU's layer" in text
    assert not browser.find_elements(By.CSS_SELECTOR, ".panel .row2 .chart"), "layer rows drawn as elementwise sizes"
