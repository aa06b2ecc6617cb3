/** @odoo-module **/
import { getCurrency } from "@web/core/currency";
import { user } from "@web/core/user";
import { nbsp } from "@web/core/utils/strings";
import { formatFloat } from "@web/views/fields/formatters";

/** Chinese counts large amounts in 万 (10⁴) and 亿 (10⁸), not in thousands and millions. */
const CHINESE_UNITS = [
    [1e8, "亿"],
    [1e4, "万"],
];

/**
 * A large amount as a Chinese reader writes it ("¥ 45.26万", "¥ 1.20亿"), for a user working
 * in Chinese; null for any other user or an amount under 100 000, which stays in full.
 */
export function formatChineseAmount(amount, currencyId) {
    if (!user.lang?.startsWith("zh") || Math.abs(amount) < 1e5) {
        return null;
    }
    const [divisor, unit] = CHINESE_UNITS.find(([size]) => Math.abs(amount) >= size);
    const number = `${formatFloat(amount / divisor, { digits: [16, 2] })}${unit}`;
    const currency = getCurrency(currencyId);
    if (!currency) {
        return number;
    }
    return (currency.position === "after" ? [number, currency.symbol] : [currency.symbol, number]).join(nbsp);
}
