"""居民身份证号码 (GB 11643) and 统一社会信用代码 (GB 32100 / GB 11714): published examples, every
single-character corruption, and the column check held to the scalar checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stdnum.cn import ric, uscc

from postloan_audit import is_valid_credit_code, is_valid_id_number
from postloan_audit.parties.ids import (
    USCC_ALPHABET,
    check_id_numbers,
    credit_code_problems,
    id_number_problems,
    normalise_id,
    upgrade_id_number,
)

#: GB 11643-1999's own examples (附录 A: 北京市朝阳区 1949-12-31, 广东省汕头市潮阳县 1880-01-01).
PUBLISHED_IDS = ["11010519491231002X", "440524188001010014"]
#: GB 32100-2015's example, and python-stdnum's.
PUBLISHED_CODES = ["91350100M000100Y43", "91110000600037341L"]
ID_CHARACTERS = "0123456789XA"
CODE_CHARACTERS = USCC_ALPHABET + "IOZSV"


def _corruptions(number: str, alphabet: str) -> list[str]:
    return [number[:i] + c + number[i + 1:] for i in range(len(number)) for c in alphabet
            if c != number[i]]


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_published_id_numbers_are_valid_and_stdnum_computes_their_check(number):
    assert is_valid_id_number(number)
    assert ric.calc_check_digit(number) == number[-1]


def test_the_check_character_is_the_standard_s_mod_11_2():
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    for number in PUBLISHED_IDS:
        total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
        assert "10X98765432"[total % 11] == number[-1]


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_every_single_character_corruption_of_an_id_number_is_invalid(number):
    corrupted = _corruptions(number, ID_CHARACTERS)
    assert len(corrupted) == 18 * 11
    assert [c for c in corrupted if is_valid_id_number(c)] == []


def test_a_15_digit_number_is_upgraded_and_valid_when_its_birth_date_is_real():
    assert upgrade_id_number("110105491231002") == "11010519491231002X"
    assert is_valid_id_number("110105491231002")
    assert not is_valid_id_number("110105490231002")  # 1949-02-31
    assert id_number_problems("110105490231002") == ["出生日期无效"]


def test_id_number_reasons():
    assert id_number_problems("11010519491231002") == ["位数不对"]
    assert id_number_problems("11010519491231002Y") == ["含非法字符"]
    assert id_number_problems("110105194912310021") == ["校验位不符"]
    # a real check character over an impossible date (1949-13-31)
    body = "11010519491331002"
    assert id_number_problems(body + ric.calc_check_digit(body + "0")) == ["出生日期无效"]


def test_full_width_lower_case_and_spaces_are_read():
    assert is_valid_id_number(" １１０１０５ 19491231002x ")
    assert is_valid_credit_code("91350100 m000100y43")


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_credit_codes_are_valid_and_stdnum_agrees(code):
    assert is_valid_credit_code(code)
    assert uscc.is_valid(code)
    assert uscc.calc_check_digit(code[:17]) == code[-1]


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_every_single_character_corruption_of_a_credit_code_is_invalid(code):
    corrupted = _corruptions(code, CODE_CHARACTERS)
    assert len(corrupted) == 18 * 35
    assert [c for c in corrupted if is_valid_credit_code(c)] == []


def test_the_embedded_organisation_code_is_checked_which_stdnum_does_not():
    # 统一社会信用代码 with a correct MOD 31 character but a wrong 组织机构代码 check (GB 11714)
    body = "91350100M000100Y5"
    code = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(code)
    assert not is_valid_credit_code(code)
    assert credit_code_problems(code) == ["组织机构代码校验位不符"]


def test_a_letter_first_character_is_a_registration_authority():
    # GB 32100: N (农业), Y (其他) … python-stdnum wants 8 digits first
    body = "N2350100M000100Y4"
    code = body + uscc.calc_check_digit(body)
    assert is_valid_credit_code(code)


def test_credit_code_reasons():
    assert credit_code_problems("91350100M000100Y4") == ["位数不对"]
    assert credit_code_problems("91350100M000100I43") == ["含非法字符"]
    assert credit_code_problems("91350100M000100Y44") == ["校验位不符"]


def _random_numbers(rng: np.random.Generator, count: int) -> list[str]:
    out = []
    for _ in range(count):
        kind = rng.integers(0, 4)
        if kind == 0:
            body = "".join(rng.choice(list("0123456789"), 17))
            out.append(body + ric.calc_check_digit(body + "0"))
        elif kind == 1:
            body = "".join(rng.choice(list("0123456789"), 8)) + "".join(
                rng.choice(list(USCC_ALPHABET), 9))
            out.append(body + uscc.calc_check_digit(body))
        elif kind == 2:
            out.append("".join(rng.choice(list("0123456789"), 15)))
        else:
            out.append("".join(rng.choice(list(CODE_CHARACTERS + "x -"),
                                          int(rng.integers(0, 20)))))
    return out


def test_the_column_check_equals_the_scalar_checks():
    rng = np.random.default_rng(7)
    values = (_random_numbers(rng, 3000) + PUBLISHED_IDS + PUBLISHED_CODES
              + _corruptions(PUBLISHED_IDS[0], ID_CHARACTERS)
              + _corruptions(PUBLISHED_CODES[0], CODE_CHARACTERS) + [None, "", " "])
    kinds = rng.choice(np.array(["individual", "corporate", None], dtype=object), len(values))
    got = check_id_numbers(pd.Series(values, dtype="str"),
                           customer_type=pd.Series(kinds, dtype="str"))
    for value, kind, row in zip(values, kinds, got.itertuples(index=False), strict=True):
        person, company = id_number_problems(value), credit_code_problems(value)
        digits = normalise_id(value)
        blank = digits == ""
        assert row.valid == (not blank and (not person or not company)), value
        if blank or row.valid:
            assert row.reason == "", value
            continue
        ric_like = (len(digits) == 15 and digits.isdigit()) or (
            len(digits) == 18 and digits[:17].isdigit() and digits[17] in "0123456789X")
        judged = person if kind == "individual" or (kind != "corporate" and ric_like) \
            else company
        assert row.reason == "、".join(judged), (value, kind)
