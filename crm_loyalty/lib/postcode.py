"""Whether a postcode lies in a range of postcodes: the one definition of the rule.

The bounds of a range have a *form*: their groups of digits and letters, e.g. ``SW1`` is
two letters and a digit, ``10000`` five digits. A postcode is in the range when it begins
with the bounds' form and that beginning lies between the bounds:

- a group of the postcode matches a group of the form when it has the same kind and the
  same length, and is not followed directly by more of its kind (``SW1 1AA`` and
  ``SW1A 1AA`` begin with the form of ``SW1``; ``SW10 9AA`` does not, its district is 10);
  spaces and dashes may separate the groups (``1099 ZZ``, ``K1A 0B1``);
- bounds of digits only are read as the first digits of the postcode, across spaces and
  dashes, whatever follows: ``19999-1234`` is in 10000–19999, ``1099 ZZ`` in 1000–1099,
  ``10001`` in 100–149;
- a postcode of digits only that is shorter than such bounds lost its leading zeros:
  ``501`` is ``00501``.

Any other postcode shorter than the form, or of another form, is in no range. The match is also
written in SQL (``crm.loyalty.territory._match_sql``): both read the regular expression of
``bound_pattern``, which Python and PostgreSQL understand alike.
"""
import re

KIND = {'N': '[0-9]', 'A': '[A-Z]'}
FORM = str.maketrans('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'N' * 10 + 'A' * 26)


def normalize_bound(value):
    """A bound as stored: upper case, letters and digits only (``sw1a`` → ``SW1A``)."""
    return re.sub(r'[^A-Za-z0-9]', '', value or '').upper()


def normalize_postcode(value):
    """A postcode as matched: upper case, each run of other characters one space."""
    return re.sub(r'[^A-Za-z0-9]+', ' ', value or '').upper().strip()


def postcode_form(bound):
    """``N`` for each digit and ``A`` for each letter of a bound: ``SW1A`` → ``AANA``."""
    return normalize_bound(bound).translate(FORM)


def pad_range(zip_from, zip_to):
    """Bounds of digits only padded with zeros to the same length, as Odoo's fiscal
    positions do, so that they compare as the numbers they are."""
    zip_from, zip_to = normalize_bound(zip_from), normalize_bound(zip_to)
    if zip_from.isdigit() and zip_to.isdigit():
        width = max(len(zip_from), len(zip_to))
        zip_from, zip_to = zip_from.rjust(width, '0'), zip_to.rjust(width, '0')
    return zip_from, zip_to


def bound_pattern(bound):
    """The regular expression of a postcode (normalized, padded) that begins with the
    bound's form, or False without a bound."""
    form = postcode_form(bound)
    if not form:
        return False
    if set(form) == {'N'}:
        return '^' + ' ?'.join([KIND['N']] * len(form))
    groups = re.findall(r'N+|A+', form)
    body = ' ?'.join(f'{KIND[group[0]]}{{{len(group)}}}' for group in groups)
    return f'^{body}(?!{KIND[groups[-1][0]]})'


def postcode_key(postcode, bound):
    """The beginning of ``postcode`` of the bound's form, without spaces, or None: as
    the pattern takes letters and digits only, as many as the bound has, it is the
    postcode's first characters."""
    postcode, bound = normalize_postcode(postcode), normalize_bound(bound)
    if not bound:
        return None
    if postcode.isdigit():
        postcode = postcode.rjust(len(bound), '0')
    if not re.match(bound_pattern(bound), postcode):
        return None
    return postcode.replace(' ', '')[:len(bound)]


def postcode_in_range(postcode, zip_from, zip_to):
    """Whether the postcode lies in the range ``zip_from``–``zip_to``."""
    zip_from, zip_to = pad_range(zip_from, zip_to)
    key = postcode_key(postcode, zip_from)
    return key is not None and zip_from <= key <= zip_to


def _digit_postcodes(zip_from, zip_to, length):
    """The postcodes of ``length`` digits in a range of digits, as an interval, or None:
    read from the left when as long as the bounds, else padded with zeros."""
    width = len(zip_from)
    if length >= width:
        return zip_from + '0' * (length - width), zip_to + '9' * (length - width)
    zeros = width - length
    low, high = max(zip_from, '0' * width), min(zip_to, '0' * zeros + '9' * length)
    return (low[zeros:], high[zeros:]) if low <= high else None


def ranges_overlap(range_a, range_b):
    """Whether some postcode lies in both ranges ``(zip_from, zip_to)``: the beginning of
    the longer form must have the shorter form, then the ranges cut to the shorter
    length must meet (``SW1``–``SW9`` meets ``SW1A``–``SW1Z``, not ``SW10``–``SW20``).
    Ranges of digits are compared for postcodes of every length up to theirs, as short
    ones are padded (``501`` is in 500–599 and in 00500–00999)."""
    (from_a, to_a), (from_b, to_b) = sorted((pad_range(*range_a), pad_range(*range_b)), key=lambda r: len(r[0]))
    short, long = postcode_form(from_a), postcode_form(from_b)
    width = len(short)
    if not long.startswith(short):
        return False
    if set(long) == {'N'}:
        for length in range(1, len(long) + 1):
            a, b = _digit_postcodes(from_a, to_a, length), _digit_postcodes(from_b, to_b, length)
            if a and b and max(a[0], b[0]) <= min(a[1], b[1]):
                return True
        return False
    if len(long) > width and set(short) != {'N'} and long[width] == short[-1]:
        return False
    return max(from_a, from_b[:width]) <= min(to_a, to_b[:width])
