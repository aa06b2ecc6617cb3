"""lib/postcode.py: a postcode is in a range when its beginning of the bounds' form lies
between them, for ZIP+4, Dutch, Canadian, British and Chinese postcodes."""
from odoo.tests import BaseCase, tagged

from ..lib.postcode import (
    bound_pattern,
    normalize_bound,
    normalize_postcode,
    pad_range,
    postcode_form,
    postcode_in_range,
    postcode_key,
    ranges_overlap,
)


@tagged('post_install', '-at_install')
class TestLibPostcode(BaseCase):

    def assertInRange(self, postcode, zip_from, zip_to):
        self.assertTrue(postcode_in_range(postcode, zip_from, zip_to), f"{postcode} in {zip_from}–{zip_to}")

    def assertNotInRange(self, postcode, zip_from, zip_to):
        self.assertFalse(postcode_in_range(postcode, zip_from, zip_to), f"{postcode} not in {zip_from}–{zip_to}")

    # --- the examples of the issue ------------------------------------------------------

    def test_zip_plus_4_is_in_the_range_of_its_zip(self):
        self.assertInRange('19999-1234', '10000', '19999')
        self.assertInRange('10000-0001', '10000', '19999')
        self.assertNotInRange('20000-0000', '10000', '19999')
        self.assertNotInRange('09999-9999', '10000', '19999')

    def test_zip_plus_4_without_dash_or_with_space_reads_its_first_five_digits(self):
        self.assertInRange('199991234', '10000', '19999')
        self.assertInRange('19999 1234', '10000', '19999')
        self.assertEqual(postcode_key('19999 - 1234', '10000'), '19999')

    def test_dutch_postcode_is_in_the_range_of_its_digits(self):
        self.assertInRange('1099 ZZ', '1000', '1099')
        self.assertInRange('1099zz', '1000', '1099')
        self.assertInRange('1000 AA', '1000', '1099')
        self.assertNotInRange('1100 AA', '1000', '1099')
        self.assertNotInRange('0999 ZZ', '1000', '1099')

    def test_dutch_postcode_in_a_range_of_full_postcodes(self):
        self.assertInRange('1099 ZZ', '1000 AA', '1099 ZZ')
        self.assertInRange('1050AB', '1000AA', '1099ZZ')
        self.assertNotInRange('1099', '1000AA', '1099ZZ')
        self.assertNotInRange('1099 Z', '1000AA', '1099ZZ')

    def test_canadian_postcode_is_in_its_forward_sortation_area(self):
        self.assertInRange('K1A 0B1', 'K1A', 'K1Z')
        self.assertInRange('k1a0b1', 'K1A', 'K1Z')
        self.assertNotInRange('K2A 0B1', 'K1A', 'K1Z')
        self.assertNotInRange('M5V 3L9', 'K1A', 'K1Z')

    def test_canadian_postcode_is_in_its_province_letter(self):
        self.assertInRange('K1A 0B1', 'K', 'K')
        self.assertNotInRange('L4C 1A1', 'K', 'K')

    def test_british_postcode_is_in_a_range_of_its_outward_code(self):
        self.assertInRange('SW1A 1AA', 'SW1A', 'SW1Z')
        self.assertNotInRange('SW1 1AA', 'SW1A', 'SW1Z')
        self.assertNotInRange('SW2A 1AA', 'SW1A', 'SW1Z')

    def test_british_sub_district_is_in_a_range_of_districts(self):
        self.assertInRange('SW1A 1AA', 'SW1', 'SW9')
        self.assertInRange('SW1P 3BU', 'SW1', 'SW9')
        self.assertInRange('SW9 8AA', 'SW1', 'SW9')

    def test_british_two_digit_district_is_not_in_a_range_of_one_digit_districts(self):
        self.assertNotInRange('SW10 9AA', 'SW1', 'SW9')
        self.assertInRange('SW10 9AA', 'SW10', 'SW20')
        self.assertNotInRange('SW1A 1AA', 'SW10', 'SW20')
        self.assertNotInRange('SW9 8AA', 'SW10', 'SW20')

    def test_british_area_letters_are_whole(self):
        self.assertInRange('W1A 1AA', 'W', 'W')
        self.assertNotInRange('WC1A 1AA', 'W', 'W')
        self.assertInRange('WC1A 1AA', 'WC', 'WC')

    def test_british_postcode_without_its_space_is_read_as_one_district(self):
        """SW11AA could be SW1 1AA or SW11 AA: its digits are read as one group, 11."""
        self.assertNotInRange('SW11AA', 'SW1', 'SW9')
        self.assertInRange('SW1A1AA', 'SW1', 'SW9')

    def test_chinese_six_digit_postcode_in_a_range_of_six_digits(self):
        self.assertInRange('100101', '100000', '102629')
        self.assertInRange('102629', '100000', '102629')
        self.assertNotInRange('102630', '100000', '102629')
        self.assertNotInRange('099999', '100000', '102629')

    def test_numeric_postcode_in_a_range_of_prefixes(self):
        self.assertInRange('10001', '100', '149')
        self.assertInRange('149-99', '100', '149')
        self.assertNotInRange('15000', '100', '149')
        self.assertInRange('100101', '10', '10')

    # --- what lies outside ---------------------------------------------------------------

    def test_postcode_shorter_than_the_bounds_is_outside(self):
        self.assertNotInRange('K1', 'K1A', 'K1Z')
        self.assertNotInRange('SW', 'SW1', 'SW9')
        self.assertNotInRange('1099 ', '1000AA', '1099ZZ')

    def test_postcode_of_another_form_is_outside(self):
        self.assertNotInRange('ABCDE', '10000', '19999')
        self.assertNotInRange('K1A 0B1', '10000', '19999')
        self.assertNotInRange('1099 ZZ', 'K1A', 'K1Z')
        self.assertNotInRange('SW1A 1AA', 'K1A', 'K1Z')
        self.assertEqual(postcode_key('K1A 0B1', '10000'), None)

    def test_empty_postcode_is_in_no_range(self):
        self.assertNotInRange('', '00000', '99999')
        self.assertNotInRange(None, '00000', '99999')
        self.assertNotInRange(' - ', 'A', 'Z')

    def test_short_numeric_postcode_lost_its_leading_zeros(self):
        self.assertInRange('501', '00500', '00999')
        self.assertEqual(postcode_key('501', '00500'), '00501')
        self.assertNotInRange('501', '10000', '19999')

    def test_short_numeric_postcode_is_not_padded_into_a_form_with_letters(self):
        self.assertEqual(postcode_key('12', 'K1A'), None)

    def test_other_characters_separate_like_spaces(self):
        self.assertEqual(normalize_postcode('  sw1a\t1aa. '), 'SW1A 1AA')
        self.assertEqual(normalize_postcode('k1a–0b1'), 'K1A 0B1')
        self.assertInRange('k1a–0b1', 'K1A', 'K1Z')
        self.assertEqual(normalize_postcode('1099 ß ZZ'), '1099 ZZ')

    def test_bounds_are_inclusive(self):
        self.assertInRange('10000', '10000', '19999')
        self.assertInRange('19999', '10000', '19999')
        self.assertInRange('K1Z 9Z9', 'K1A', 'K1Z')

    # --- the bounds ----------------------------------------------------------------------

    def test_bounds_are_stored_in_upper_case_without_separators(self):
        self.assertEqual(normalize_bound(' sw1a '), 'SW1A')
        self.assertEqual(normalize_bound('1000 aa'), '1000AA')
        self.assertEqual(normalize_bound('19999-1234'), '199991234')
        self.assertEqual(normalize_bound(None), '')

    def test_numeric_bounds_padded_to_the_same_length(self):
        self.assertEqual(pad_range(' 100', '2000'), ('0100', '2000'))
        self.assertEqual(pad_range('K1A', 'K1Z'), ('K1A', 'K1Z'))
        self.assertEqual(pad_range('1', 'K1Z'), ('1', 'K1Z'))

    def test_form_names_digits_and_letters(self):
        self.assertEqual(postcode_form('sw1a'), 'AANA')
        self.assertEqual(postcode_form('1000 AA'), 'NNNNAA')
        self.assertEqual(postcode_form(''), '')

    def test_pattern_of_digits_reads_across_separators(self):
        self.assertEqual(bound_pattern('100'), '^[0-9] ?[0-9] ?[0-9]')

    def test_pattern_of_groups_ends_with_its_group(self):
        self.assertEqual(bound_pattern('SW1'), '^[A-Z]{2} ?[0-9]{1}(?![0-9])')
        self.assertFalse(bound_pattern(''))

    # --- overlaps ------------------------------------------------------------------------

    def test_ranges_of_one_form_overlap_when_they_meet(self):
        self.assertTrue(ranges_overlap(('94000', '94999'), ('94500', '95500')))
        self.assertTrue(ranges_overlap(('94000', '94999'), ('94999', '95500')))
        self.assertFalse(ranges_overlap(('94000', '94999'), ('90000', '91999')))

    def test_prefix_range_overlaps_the_longer_ranges_it_contains(self):
        self.assertTrue(ranges_overlap(('100', '149'), ('10000', '10999')))
        self.assertTrue(ranges_overlap(('10000', '10999'), ('100', '149')))
        self.assertFalse(ranges_overlap(('100', '149'), ('15000', '15999')))
        self.assertTrue(ranges_overlap(('1000', '1099'), ('1099AA', '1200ZZ')))

    def test_numeric_ranges_overlap_through_short_padded_postcodes(self):
        self.assertTrue(ranges_overlap(('500', '599'), ('00500', '00999')))
        self.assertTrue(postcode_in_range('501', '500', '599') and postcode_in_range('501', '00500', '00999'))
        self.assertFalse(ranges_overlap(('100', '149'), ('00500', '00999')))
        self.assertTrue(ranges_overlap(('500', '599'), ('50000', '50999')))

    def test_numeric_overlap_agrees_with_every_postcode_of_up_to_four_digits(self):
        postcodes = [f'{n:0{length}d}' for length in range(1, 5) for n in range(10 ** length)]
        ranges = [('0', '4'), ('05', '12'), ('500', '599'), ('099', '101'), ('0050', '0099'), ('1000', '1099'),
                  ('0000', '0009'), ('9', '9')]
        for index, range_a in enumerate(ranges):
            for range_b in ranges[index + 1:]:
                shared = any(postcode_in_range(p, *range_a) and postcode_in_range(p, *range_b) for p in postcodes)
                self.assertEqual(ranges_overlap(range_a, range_b), shared, f"{range_a} and {range_b}")

    def test_british_districts_overlap_their_sub_districts_only(self):
        self.assertTrue(ranges_overlap(('SW1', 'SW9'), ('SW1A', 'SW1Z')))
        self.assertFalse(ranges_overlap(('SW1', 'SW9'), ('SW10', 'SW20')))
        self.assertFalse(ranges_overlap(('W', 'W'), ('WC', 'WC')))
        self.assertTrue(ranges_overlap(('W', 'W'), ('W1', 'W9')))

    def test_ranges_of_unrelated_forms_never_overlap(self):
        self.assertFalse(ranges_overlap(('10000', '19999'), ('K1A', 'K1Z')))
        self.assertFalse(ranges_overlap(('K1A', 'K1Z'), ('SW1A', 'SW1Z')))
