"""Shared test set-up, used by the tests (through the conftest fixtures) and by the benchmarks.

- forms.py: the password, a PDF, the CSRF token of a page, fresh credit codes and e-mails;
- users.py: staff, admins and companies written straight into a portal's database;
- session.py: signing in through /login (CSRF token included), signed-in staff and companies;
- registration.py: company sign-up through the registration form;
- service_requests.py: requests submitted through the page form;
- pages.py, api_shapes.py: reading pages and the JSON API's documented shapes;
- knowledge_uploads.py: documents for the knowledge-maintenance tests;
- browser.py: the browser tests' contexts, screenshots, sign-in and sign-up (Playwright);
- live_server.py: the portal in its own uvicorn process, and indexed data folders for it.

The benchmarks run from the repository root (`python -m benchmarks.X`), where `tests.support`
is importable: the load test and the scale benchmark start their servers with it.
"""
