"""What a depositor does in InvenioRDM's deposit form, as Selenium steps.

Each helper acts through the form as a person would (clicks, typing), and
waits for what the page shows afterwards; none calls the REST API behind the
browser's back.
"""

from __future__ import annotations

import re
import time
from typing import Any

from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 30
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")


def wait(driver: Any, seconds: float = WAIT) -> WebDriverWait:
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


def log_in(driver: Any, base: str, email: str, password: str) -> None:
    """Through the login form (Flask-Security, with its CSRF token)."""
    driver.get(f"{base}/login/")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[name=login_user_form] button[type=submit]").click()
    wait(driver).until(lambda d: "/login" not in d.current_url)


def open_form(driver: Any, url: str) -> None:
    """Open a deposit form page and wait for React to render the DOI field."""
    driver.get(url)
    wait_for_form(driver)


def wait_for_form(driver: Any) -> None:
    wait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, DOI_LABEL)))
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "button[name=save]"))


DOI_LABEL = 'label[for="pids.doi"]'

_DOI_BLOCK = """
    const label = document.querySelector('label[for="pids.doi"]');
    const parts = [];
    for (let node = label.closest('.field'); node; node = node.nextElementSibling) {
        if (node !== label.closest('.field') && node.querySelector('label[for]')) break;
        parts.push(node.innerText);
    }
    return parts.join('\\n');
"""


def doi_field_text(driver: Any) -> str:
    """What the DOI field shows: its question, DOI or input, buttons, help and errors."""
    return driver.execute_script(_DOI_BLOCK)


def doi_field_has_error(driver: Any) -> bool:
    return "error" in driver.find_element(By.CSS_SELECTOR, DOI_LABEL).find_element(
        By.XPATH, "./ancestor::div[contains(@class,'field')][1]").get_attribute("class")


def type_title(driver: Any, title: str) -> None:
    field = driver.find_element(By.ID, "metadata.title")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(title)


def choose_resource_type(driver: Any, label: str = "Dataset") -> None:
    dropdown = driver.find_element(By.CSS_SELECTOR, 'div[name="metadata.resource_type"]')
    dropdown.click()
    option = wait(driver).until(
        lambda d: next((o for o in dropdown.find_elements(By.CSS_SELECTOR, ".item")
                        if o.text.strip() == label), None)
    )
    option.click()


def add_creator(driver: Any, family: str, given: str) -> None:
    """The creators modal: a person, family and given names, then "Save"."""
    driver.find_element(By.XPATH, "//button[normalize-space()='Add author']").click()
    modal = wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".ui.modal")))
    modal.find_element(By.NAME, "person_or_org.family_name").send_keys(family)
    modal.find_element(By.NAME, "person_or_org.given_name").send_keys(given)
    modal.find_element(By.XPATH, ".//button[normalize-space()='Save']").click()
    wait(driver).until(ec.invisibility_of_element_located((By.CSS_SELECTOR, ".ui.modal")))


def metadata_only(driver: Any) -> None:
    """Tick "Metadata-only record" (no files to upload)."""
    label = driver.find_element(By.XPATH, "//label[normalize-space()='Metadata-only record']")
    box = label.find_element(By.XPATH, "./ancestor::div[contains(@class,'checkbox')][1]")
    if "checked" not in box.get_attribute("class"):
        label.click()
    wait(driver).until(lambda d: "checked" in box.get_attribute("class"))


def radio(driver: Any, label: str) -> Any:
    return driver.find_element(By.CSS_SELECTOR, f'.ui.radio.checkbox input[aria-label="{label}"]')


def answer_have_doi(driver: Any, yes: bool) -> None:
    """"Do you already have a DOI for this upload?" - yes or no."""
    label = "Yes, I already have one" if yes else "No, I need one"
    element = radio(driver, label).find_element(By.XPATH, "following-sibling::label")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    wait(driver).until(lambda d: radio(d, label).get_attribute("checked"))


def get_a_doi(driver: Any) -> str:
    """Press "Get a DOI now!" and wait for the DOI it shows."""
    button = wait(driver).until(
        lambda d: next((b for b in d.find_elements(By.TAG_NAME, "button")
                        if "Get a DOI" in b.text and b.is_enabled()), None)
    )
    button.click()
    return shown_managed_doi(driver)


def shown_managed_doi(driver: Any) -> str:
    """The managed DOI the DOI field shows (a label beside the "Discard" button)."""
    def found(d: Any) -> str | None:
        for line in doi_field_text(d).splitlines():
            if DOI_PATTERN.match(line.strip()):
                return line.strip()
        return None

    return wait(driver).until(found)


def discard_doi(driver: Any) -> None:
    """Press the reserved DOI's discard button (the cross beside it) and wait until it is gone."""
    label = driver.find_element(By.CSS_SELECTOR, DOI_LABEL)
    block = label.find_element(By.XPATH, "./ancestor::div[contains(@class,'field')][1]/..")
    button = next(b for b in block.find_elements(By.TAG_NAME, "button")
                  if b.find_elements(By.CSS_SELECTOR, "i.close.icon"))
    button.click()
    wait(driver).until(lambda d: not any(DOI_PATTERN.match(line.strip())
                                         for line in doi_field_text(d).splitlines()))


def type_external_doi(driver: Any, doi: str) -> None:
    """Type the DOI into "Copy/paste your existing DOI here..." and let the form take it.

    The form copies the input into its state after a short debounce; a page
    still settling (a new version's form right after loading) can re-render the
    input empty, so the value is checked, and typed again if it was lost.
    """
    selector = 'input[placeholder="Copy/paste your existing DOI here..."]'
    for _ in range(3):
        field = wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(doi)
        time.sleep(1.0)  # the form's debounce (200 ms), and any late re-render
        if driver.find_element(By.CSS_SELECTOR, selector).get_attribute("value") == doi:
            return
    raise AssertionError(f"the DOI input did not keep {doi!r}")


def press(driver: Any, name: str) -> None:
    """Press one of the form's buttons (save, preview, publish)."""
    button = wait(driver).until(ec.element_to_be_clickable((By.CSS_SELECTOR, f"button[name={name}]")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    try:
        button.click()
    except ElementClickInterceptedException:  # the sticky side bar under a message: click it anyway
        driver.execute_script("arguments[0].click()", button)


def feedback(driver: Any) -> str:
    """The form's feedback message at the top ("Record successfully saved.", errors), or ""."""
    for message in driver.find_elements(By.CSS_SELECTOR, ".ui.message"):
        text = message.text.strip() if message.is_displayed() else ""
        if any(word in text.lower() for word in ("saved", "error", "fail", "not published")):
            return text
    return ""


def save(driver: Any) -> str:
    """Press "Save draft"; wait until the save is done; return the form's feedback."""
    driver.execute_script(
        "document.querySelectorAll('.ui.message').forEach(m => m.setAttribute('data-seen', '1'))")
    press(driver, "save")
    wait(driver).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "button[name=save].loading"))
    wait(driver).until(lambda d: any(
        m.is_displayed() and not m.get_attribute("data-seen") and m.text.strip()
        for m in d.find_elements(By.CSS_SELECTOR, ".ui.message")))
    return feedback(driver)


def publish(driver: Any) -> None:
    """Press "Publish", confirm in the dialog, and wait for the record's landing page."""
    press(driver, "publish")
    modal = wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".ui.modal")))
    checkbox = modal.find_elements(By.CSS_SELECTOR, ".ui.checkbox label")
    for box in checkbox:
        box.click()
    modal.find_element(By.XPATH, ".//button[normalize-space()='Publish']").click()


def field_error(driver: Any, field: str) -> str:
    """The error the form shows on one field (its label's field in error state), or ""."""
    return driver.execute_script("""
        const label = document.querySelector(`label[for="${arguments[0]}"]`);
        const box = label && label.closest('.field.error, .field');
        if (!box) return '';
        const scope = box.classList.contains('error') ? box : box.parentElement;
        const prompt = scope.querySelector('.ui.pointing.label, .ui.prompt.label, .error.label');
        return prompt ? prompt.innerText : '';
    """, field)


def field_errors(driver: Any) -> list[str]:
    """Every error the form shows under a field."""
    labels = driver.find_elements(By.CSS_SELECTOR, ".ui.pointing.prompt.label, .field.error .label")
    return [label.text.strip() for label in labels if label.text.strip()]


def form_messages(driver: Any) -> list[str]:
    return [m.text.strip() for m in driver.find_elements(By.CSS_SELECTOR, ".ui.message") if m.text.strip()]
