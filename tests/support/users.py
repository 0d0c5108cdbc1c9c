"""Users and companies written straight into a portal's database (no HTTP involved)."""

from __future__ import annotations

from portal import accounts
from tests.support.forms import PASSWORD, credit_code, unique_email
from web.core.components import Components


def create_staff(
    components: Components,
    *,
    name: str = "赵工",
    role: str = "staff",
    email: str | None = None,
    team_code: str | None = None,
    password: str = PASSWORD,
) -> tuple[int, str]:
    """Create a member of the center's staff (or an admin); return its id and e-mail."""
    email = email or unique_email(role, "gba-cgt.cn")
    with components.sessions() as session:
        user = accounts.create_user(
            session=session,
            email=email,
            password=password,
            name=name,
            role=role,
            team_code=team_code,
        )
        return user.id, email


def register_company(
    components: Components,
    *,
    name: str = "深圳流程测试生物有限公司",
    contact: str = "王芳",
    phone: str = "0755-87654321",
    email: str | None = None,
    code: str | None = None,
    password: str = PASSWORD,
) -> tuple[int, str]:
    """Register a company and its first user; return the company's id and the user's e-mail."""
    email = email or unique_email("company")
    with components.sessions() as session:
        user = accounts.register_company(
            session=session,
            company_name=name,
            credit_code=code or credit_code(),
            contact_name=contact,
            phone=phone,
            email=email,
            password=password,
        )
        assert user.company_id is not None
        return user.company_id, email
