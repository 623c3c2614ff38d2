/**
 * What a state/province (XAD-4) or country (XAD-6) that Safe Harbor keeps must look like
 * (45 CFR §164.514(b)(2)(i)(B) allows the state): a code (two or three letters: USPS, ISO 3166-2
 * subdivision, ISO 3166-1 alpha-2/alpha-3) or a name on these lists. Anything else (a city, a
 * person's name, a street put in the wrong component) is removed: the lists are an allow-list.
 */
/** State, territory and province names (also the test oracle's table). */
export const STATE_NAMES: readonly string[] = [
  'Alabama', 'Alaska', 'Arizona', 'Arkansas', 'California', 'Colorado', 'Connecticut', 'Delaware', 'District of Columbia', 'Florida', 'Georgia', 'Hawaii',
  'Idaho', 'Illinois', 'Indiana', 'Iowa', 'Kansas', 'Kentucky', 'Louisiana', 'Maine', 'Maryland', 'Massachusetts', 'Michigan', 'Minnesota', 'Mississippi',
  'Missouri', 'Montana', 'Nebraska', 'Nevada', 'New Hampshire', 'New Jersey', 'New Mexico', 'New York', 'North Carolina', 'North Dakota', 'Ohio', 'Oklahoma',
  'Oregon', 'Pennsylvania', 'Rhode Island', 'South Carolina', 'South Dakota', 'Tennessee', 'Texas', 'Utah', 'Vermont', 'Virginia', 'Washington',
  'West Virginia', 'Wisconsin', 'Wyoming', 'Puerto Rico', 'Guam', 'American Samoa', 'Northern Mariana Islands', 'Virgin Islands', 'U.S. Virgin Islands',
  // Canadian provinces and territories.
  'Alberta', 'British Columbia', 'Manitoba', 'New Brunswick', 'Newfoundland and Labrador', 'Nova Scotia', 'Ontario', 'Prince Edward Island', 'Quebec',
  'Québec', 'Saskatchewan', 'Northwest Territories', 'Nunavut', 'Yukon',
];
/** Country names (also the test oracle's table). */
export const COUNTRY_NAMES: readonly string[] = [
  'United States', 'United States of America', 'U.S.A.', 'U.S.', 'America', 'Canada', 'Mexico', 'United Kingdom', 'Great Britain', 'England', 'Scotland', 'Wales',
  'Ireland', 'France', 'Germany', 'Deutschland', 'Spain', 'España', 'Italy', 'Italia', 'Portugal', 'Netherlands', 'Belgium', 'Switzerland', 'Austria',
  'Sweden', 'Norway', 'Denmark', 'Finland', 'Poland', 'Japan', 'China', 'India', 'Australia', 'New Zealand', 'Brazil', 'Argentina', 'Chile', 'Colombia',
  'Peru', 'Philippines', 'Vietnam', 'Korea', 'South Korea', 'Israel', 'Egypt', 'Nigeria', 'South Africa', 'Kenya', 'Pakistan', 'Bangladesh', 'Indonesia',
  'Russia', 'Ukraine', 'Turkey', 'Greece', 'Cuba', 'Dominican Republic', 'Haiti', 'Jamaica', 'Guatemala', 'Honduras', 'El Salvador', 'Nicaragua', 'Venezuela',
];
const STATE_SET: ReadonlySet<string> = new Set(STATE_NAMES.map((s) => s.toLowerCase()));
const COUNTRY_SET: ReadonlySet<string> = new Set(COUNTRY_NAMES.map((s) => s.toLowerCase()));
const CODE = /^[A-Za-z]{2,3}$/u;

/** Whether a decoded, trimmed XAD-4 value may be kept as a state or province. */
export function plausibleState(text: string): boolean {
  return CODE.test(text) || STATE_SET.has(text.replace(/\s+/gu, ' ').toLowerCase());
}

/** Whether a decoded, trimmed XAD-6 value may be kept as a country. */
export function plausibleCountry(text: string): boolean {
  return CODE.test(text) || COUNTRY_SET.has(text.replace(/\s+/gu, ' ').toLowerCase());
}
