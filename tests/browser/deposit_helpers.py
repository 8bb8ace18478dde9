"""What a depositor does in InvenioRDM's deposit form, as Selenium steps.

Each helper acts through the form as a person would (clicks, typing), and
waits for what the page shows afterwards; none calls the REST API behind the
browser's back.
"""

from __future__ import annotations

import re
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
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


def type_external_doi(driver: Any, doi: str) -> None:
    field = wait(driver).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, 'input[placeholder="Copy/paste your existing DOI here..."]')))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(doi)


def press(driver: Any, name: str) -> None:
    """Press one of the form's buttons (save, preview, publish)."""
    button = wait(driver).until(ec.element_to_be_clickable((By.CSS_SELECTOR, f"button[name={name}]")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def save(driver: Any) -> str:
    """Press "Save draft"; wait for the form's message; return its text."""
    press(driver, "save")
    message = wait(driver).until(
        lambda d: next((m for m in d.find_elements(By.CSS_SELECTOR, ".ui.message")
                        if m.is_displayed() and m.text.strip()), None)
    )
    wait(driver).until(lambda d: "/uploads/new" not in d.current_url)
    return message.text


def publish(driver: Any) -> None:
    """Press "Publish", confirm in the dialog, and wait for the record's landing page."""
    press(driver, "publish")
    modal = wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".ui.modal")))
    checkbox = modal.find_elements(By.CSS_SELECTOR, ".ui.checkbox label")
    for box in checkbox:
        box.click()
    modal.find_element(By.XPATH, ".//button[normalize-space()='Publish']").click()


def field_errors(driver: Any) -> list[str]:
    """Every error the form shows under a field."""
    labels = driver.find_elements(By.CSS_SELECTOR, ".ui.pointing.prompt.label, .field.error .label")
    return [label.text.strip() for label in labels if label.text.strip()]


def form_messages(driver: Any) -> list[str]:
    return [m.text.strip() for m in driver.find_elements(By.CSS_SELECTOR, ".ui.message") if m.text.strip()]
