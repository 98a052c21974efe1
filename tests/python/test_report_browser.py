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
    """A schema-3 run with GELU, SiLU, Leaky ReLU, SELU and backward rows (hand-made fixture), plus
    an activation the report has no formula for: the explorer draws each known curve and its
    derivative beside ELU and ReLU, names the unknown one, and the headline gives fwd+bwd."""
    from conftest import make_run
    acts = [("gelu", 1.3), ("gelu_tanh", 1.25), ("silu", 1.2), ("leaky_relu", 1.0), ("selu", 1.1),
            ("elu_backward", 1.6), ("relu_backward", 1.5), ("mish", 1.4)]
    doc = make_run(v3=True, acts=acts, dtypes=("f32", "bf16"))
    doc["config"]["negative_slope"] = 0.2
    for r in doc["results"]:
        if r["activation"] == "leaky_relu":
            r["params"] = {"negative_slope": 0.2}
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
        assert drawn == {"elu", "relu", "gelu", "gelu_tanh", "silu", "leaky_relu", "selu"}, (chart, drawn)
    assert "mish" in browser.find_element(By.ID, "alpha-missing").text
    legend = browser.find_element(By.CSS_SELECTOR, "#alpha-f .legend").text
    assert "leaky_relu (slope 0.2)" in legend  # the run's slope, not a default
    headline = browser.find_element(By.CSS_SELECTOR, ".panel .headline").text
    assert "gelu, f32" in headline and "silu, bf16" in headline
    assert "forward + backward" in headline  # elu has elu_backward and relu_backward rows
    cost = browser.find_elements(By.CSS_SELECTOR, ".panel .row2 .chart")[0]
    series = {g.get_attribute("data-series") for g in cost.find_elements(By.CSS_SELECTOR, "g[data-series]")}
    assert "elu f32 fwd+bwd" in series and "gelu f32" in series and "mish f32" in series
