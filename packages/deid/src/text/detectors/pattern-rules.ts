import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';

/**
 * One regular-expression rule of the pattern detector. All rules are compiled into a single
 * alternation (one pass over the text). When `valueGroup` is set, only that part is the span
 * (`MRN: 12345` → `12345`). Categories: 45 CFR §164.514(b)(2)(i)(A)–(R).
 */
export interface PatternRule {
  readonly name: string;
  readonly category: SafeHarborCategory;
  readonly source: string;
  /** Only the text of this inner group (written `(?<v>...)` in `source`) is the span. */
  readonly hasValue?: boolean;
  /**
   * `digit`: every match starts with a digit, `(` or `+` (compiled together: the engine skips
   * letters fast); `word`: starts at a word; `rare`: run alone, only when the text contains one
   * of `triggers` (`@` for e-mail, `://` for URLs).
   */
  readonly lead: 'digit' | 'word' | 'rare';
  readonly triggers?: readonly string[];
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEP(?:T(?:EMBER)?)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)';
/** A month's three-letter abbreviation, in upper or title case, with no separator after it. */
const MONTH_ABBREVIATION = '(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const ORD = '(?:st|nd|rd|th)';
const DAY = `(?:[12]\\d|3[01]|0?[1-9])${ORD}?`;
const YEAR = "(?:(?:19|20)\\d{2}|'\\d{2})";
const UNITS_WORDS = 'one|two|three|four|five|six|seven|eight|nine';
/** What follows an age: `years`, `yrs`, `y/o`, `yo`, `y.o.`, `year-old`, lower or upper case. */
const YEARS_OLD = '(?:[Yy]ears?|YEARS?|[Yy]rs?|YRS?|[Yy]/?[Oo]|[Yy]\\.[Oo]\\.|[Yy]ear-old|YEAR-OLD)';
/** Ninety to one hundred forty-nine in words, any case (`Ninety-two`, `ONE HUNDRED AND ONE`). */
const AGE_WORDS = [
  `[Nn]inety(?:[\\s-](?:${UNITS_WORDS}))?`,
  `NINETY(?:[\\s-](?:${UNITS_WORDS.toUpperCase()}))?`,
  `(?:[Oo]ne|[Aa]|ONE|A)[\\s-](?:[Hh]undred|HUNDRED)(?:[\\s-]+(?:and[\\s-]+|AND[\\s-]+)?(?:[A-Za-z]+(?:[\\s-](?:${UNITS_WORDS}|${UNITS_WORDS.toUpperCase()}))?))?`,
].join('|');
export const STATE_CODES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
export const STATE_NAMES =
  'Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming';
export const STATES = `${STATE_CODES}|${STATE_NAMES}`;
const STREET_SUFFIX =
  'Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Route|Rte|Alley|Loop|Pike|Row|Crossing|Xing|Plaza|Ridge|Heights|Hts|Hill|Hills|Gardens|Park|Point|View|Walk|Crescent|Close|Mews|Expressway|Expy|Freeway|Fwy|Turnpike|Tpke|Center|Ctr|Commons|Junction|Jct|Landing|Manor|Meadows?|Mill|Pass|Port|Run|Spring|Springs|Station|Summit|Valley|Village|Vista|Estates?|Glen|Green|Grove|Harbor|Haven|Isle|Knolls?|Lake|Lakes|Oval|Path|Pointe?|Ridge|Shores?|Track|Trace|Union|Ville|Wells|Woods?';
const CAPWORD = "[A-Z][A-Za-z'’.-]*";
/** An identifier value after a label: letters, digits and inner separators, with at least one digit. */
const ID_VALUE = '(?<v>(?=[A-Za-z0-9-]*\\d)[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9])){2,29})';
const SEP = '\\s*(?:(?:[Nn]umber|NUMBER|[Nn]um|[Nn]o|NO|[Nn]br|[Ii][Dd]|#)\\.?\\s*)?[:#=]?\\s*';

// Written-out e-mail addresses (`jdoe at gmail dot com`, `j.doe[at]yahoo[dot]com`).
const AT_BRACKETED = '\\s*[[({<]\\s*(?:at|AT)\\s*[\\])}>]\\s*';
const DOT_SPELLED = '(?:\\s*[[({<]\\s*(?:dot|DOT)\\s*[\\])}>]\\s*|\\s+(?:dot|DOT)\\s+)';
const DOT_ANY = `(?:${DOT_SPELLED}|\\.)`;
const MAIL_LOCAL = "(?<![\\w.%+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*";
const MAIL_LABEL = '[A-Za-z0-9][A-Za-z0-9-]*';
const MAIL_TLD = '(?:com|org|net|edu|gov|mil|info|biz|io|us|uk|ca|de|fr|es|it|nl|au|me|co|health|COM|ORG|NET|EDU|GOV)\\b';
/** Mail providers whose domain after a spelled `at` makes an address (each has a trigger below). */
const MAIL_PROVIDER = '(?:gmail|googlemail|ymail|hotmail|protonmail|yahoo|aol|icloud|outlook|comcast|verizon)';
// Geographic coordinates ("equivalent geocodes", §164.514(b)(2)(i)(B)); zero degrees is left out of
// the bare pair so that small decimals (`p 0.0012, 0.0034`) are not read as a place.
const LATITUDE = '(?:[1-8]\\d|90|[1-9])';
const LONGITUDE = '(?:1[0-7]\\d|180|[1-9]\\d?)';
const COORDINATE = '[-+]?\\d{1,3}\\.\\d{2,}°?(?:\\s*[NSEWnsew]\\b)?';
const SOCIAL =
  '[Tt]witter|TWITTER|[Ii]nstagram|INSTAGRAM|[Ff]acebook|FACEBOOK|[Tt]ik[Tt]ok|TIKTOK|[Ss]kype|SKYPE|[Ss]napchat|SNAPCHAT|[Tt]elegram|[Dd]iscord|[Rr]eddit|[Ll]inked[Ii]n|[Tt]witch|[Bb]luesky|[Mm]astodon|[Yy]ou[Tt]ube|[Ss]ocial [Mm]edia|[Hh]andle|HANDLE|[Uu]ser ?[Nn]ame|USERNAME|[Ss]creen ?[Nn]ame|[Gg]amertag';
const SOCIAL_LABEL = `\\b(?:${SOCIAL})(?:\\s+(?:[Hh]andle|[Aa]ccount|[Ii][Dd]|[Nn]ame|[Uu]ser ?[Nn]ame|[Pp]rofile))?`;

// (A) The employer's name: Safe Harbor removes the names "of the individual or of relatives,
// employers, or household members" (§164.514(b)(2)(i)). Social histories write it after a label
// or a verb of employment (`Employer: Acme Tractor Works`, `works as a machinist at Acme`,
// `retired from General Dynamics`): the capitalized words that follow are the span.
const ORG_WORD = "[A-Z](?:[A-Za-z0-9&'’-]|\\.(?=[A-Za-z]))*";
const ORG = `(?:the[ \\t]+)?${ORG_WORD}(?:[ \\t]+(?:(?:of|and|&|the|de|for|at)[ \\t]+)?${ORG_WORD})*`;
/** Answers an employer label takes that name nobody. */
const NOT_EMPLOYER =
  '(?!(?:[Nn]one|NONE|N/?A|[Uu]nknown|UNKNOWN|[Rr]etired|RETIRED|[Ss]elf|SELF|[Uu]nemployed|UNEMPLOYED|[Dd]isabled|DISABLED|[Ss]tudent|STUDENT|[Hh]omemaker|HOMEMAKER|[Nn]ot?|NOT?)\\b)';
const EMPLOYER_LEAD = [
  '(?:[Ee]mployer|EMPLOYER)(?:[ \\t]+(?:[Nn]ame|NAME))?[ \\t]*[:-][ \\t]*',
  '(?:[Ee]mploy(?:ed|ee)|EMPLOY(?:ED|EE))[ \\t]+(?:by|at|with|of|BY|AT|WITH|OF)[ \\t]+',
  '(?:[Ww]ork(?:s|ed|ing)?|WORK(?:S|ED|ING)?)[ \\t]+(?:(?:full|part)[- ]time[ \\t]+)?(?:as[ \\t]+(?:an?[ \\t]+)?[a-z][a-z -]{0,30}?[ \\t]+)?(?:at|for|AT|FOR)[ \\t]+',
  '(?:[Rr]etired|RETIRED)[ \\t]+(?:from|FROM)[ \\t]+',
  '(?:[Oo]ccupation|OCCUPATION|[Jj]ob|JOB)[ \\t]*:[ \\t]*[a-z][a-z -]{0,40}?[ \\t]+(?:at|for|with)[ \\t]+',
];

function labelled(name: string, category: SafeHarborCategory, labels: string): PatternRule {
  return { name, category, source: `\\b(?:${labels})${SEP}${ID_VALUE}`, hasValue: true, lead: 'word' };
}

/** The rules, most specific first (the alternation tries them in this order at each position). */
export const PATTERN_RULES: readonly PatternRule[] = [
  { name: 'email', category: 'email', lead: 'rare', triggers: ['@'], source: "[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}" },
  {
    // An address written out to dodge scrapers is still one: a bracketed `at`, or a spelled `at`
    // with a spelled `dot` or a mail provider's domain (`at gmail.com`).
    name: 'email-written-out',
    category: 'email',
    lead: 'rare',
    // Each trigger costs a scan of every text: the few that every written-out form holds.
    triggers: ['at]', 'at)', 'at}', 'AT]', 'AT)', ' dot ', ' DOT ', 'mail.', 'yahoo.', 'aol.', 'icloud.', 'outlook.', 'comcast.', 'verizon.'],
    source: `${MAIL_LOCAL}(?:${AT_BRACKETED}${MAIL_LABEL}(?:${DOT_ANY}${MAIL_LABEL})*?${DOT_ANY}${MAIL_TLD}|\\s+(?:at|AT)\\s+(?:${MAIL_LABEL}(?:${DOT_ANY}${MAIL_LABEL})*?${DOT_SPELLED}${MAIL_TLD}|${MAIL_PROVIDER}\\.${MAIL_TLD}))`,
  },
  {
    // `@haroldw1931`: a user name, bare only with a digit or an underscore (`@home` stays).
    name: 'social-handle-bare',
    category: 'other-id',
    lead: 'rare',
    triggers: ['@'],
    source: '(?<![\\w.@/])@(?=[A-Za-z0-9_.]*[\\d_])[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_](?![\\w@])',
  },
  {
    name: 'employer',
    category: 'name',
    lead: 'rare',
    hasValue: true,
    // Every lead holds one of these. Short ones: 28 specific literals (`works at`, …) cost more to
    // test in every text (3.8 ms per 1.4 MB) than running the rule on the texts with `work` (2.2 ms).
    triggers: ['mploye', 'MPLOYE', 'ork', 'ORK', 'etired', 'ETIRED', 'ccupation', 'CCUPATION', 'ob:', 'OB:'],
    source: `\\b(?:${EMPLOYER_LEAD.join('|')})${NOT_EMPLOYER}(?<v>${ORG})`,
  },
  { name: 'url', category: 'url', lead: 'rare', triggers: ['://', 'www.', 'WWW.'], source: "(?:https?|ftp)://[^\\s<>\"'`)\\]]*[^\\s<>\"'`)\\].,;:!?]|\\bwww\\.[^\\s<>\"'`)\\]]*[^\\s<>\"'`)\\].,;:!?]" },
  {
    name: 'domain',
    category: 'url',
    lead: 'rare', triggers: ['.com', '.org', '.net', '.edu', '.gov', '.info', '.biz', '.io', '.us', '.uk', '.de', '.fr', '.es', '.ca', '.au', '.co', '.me', '.health'], source: '\\b[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:com|org|net|edu|gov|info|biz|io|us|uk|de|fr|es|ca|au|co|me|health)\\b(?:/[^\\s<>"\')\\]]*[^\\s<>"\')\\].,;:!?])?',
  },
  // (M) a network card's hardware address (`00:1B:44:11:3A:B7`, `00-1B-44-11-3A-B7` with a hex letter).
  {
    name: 'mac-address',
    category: 'device',
    lead: 'word',
    source: '\\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?![\\w:])|\\b(?=[0-9A-Fa-f-]{0,16}[A-Fa-f])[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}(?![\\w-])',
  },
  { name: 'ip', category: 'ip', lead: 'digit', source: '\\b(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}\\b' },
  {
    name: 'ip6',
    category: 'ip',
    lead: 'rare',
    triggers: ['::'],
    source: '\\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![:\\w])',
  },
  {
    // `42.2529, -71.0023`, `33.8688 S 151.2093 E`: a latitude and longitude in decimal degrees,
    // four or more decimals each (a lab value pair has fewer); the sign alone is left.
    name: 'geo-decimal-pair',
    category: 'geographic',
    lead: 'digit',
    source: `\\b${LATITUDE}\\.\\d{4,}°?(?:\\s*[NSns]\\b)?(?:\\s*[,;/]\\s*|\\s+)[-+]?${LONGITUDE}\\.\\d{4,}°?(?:\\s*[EWew]\\b)?`,
  },
  // `42°15'10.4"N`, `71° 0′ 8″ W`: degrees, minutes (and seconds) with a hemisphere.
  { name: 'geo-dms', category: 'geographic', lead: 'digit', source: '\\b\\d{1,3}°\\s*\\d{1,2}(?:\\.\\d+)?[\'′]\\s*(?:\\d{1,2}(?:\\.\\d+)?(?:"|″|\'\')\\s*)?[NSEW]\\b' },
  {
    // After a label (`Lat/long: 42.25, -71.00`, `GPS 42.2529`, `coordinates 42.25 N 71.00 W`).
    name: 'geo-labelled',
    category: 'geographic',
    lead: 'word',
    hasValue: true,
    source: `\\b(?:[Ll]atitude|LATITUDE|[Ll]ongitude|LONGITUDE|GPS|[Cc]oordinates|COORDINATES|[Gg]eo-?(?:code|location|tag)|[Ll]at\\s*/\\s*[Ll](?:ong?|ng)|LAT\\s*/\\s*LONG?)(?:\\s+(?:is|of|at))?\\s*[:=]?\\s*(?<v>${COORDINATE}(?:\\s*[,;/]?\\s*${COORDINATE})?)`,
  },
  { name: 'ssn', category: 'ssn', lead: 'digit', source: '\\b\\d{3}-\\d{2}-\\d{4}\\b' },
  labelled('ssn-labelled', 'ssn', 'SSN|SS#|[Ss]ocial [Ss]ecurity(?: [Nn]umber)?'),
  {
    // Part of a number is the number's (§164.514(b)(2)(i)(G)): `SSN last 4: 6789`, `SS# ending in 6789`.
    name: 'ssn-last-digits',
    category: 'ssn',
    lead: 'word',
    hasValue: true,
    source: '\\b(?:SSN|SS#|[Ss]ocial [Ss]ecurity(?: [Nn]umber| #)?)\\s*(?:#\\s*)?(?:\\(?\\s*(?:[Ll]ast|LAST|[Ff]inal)\\s+(?:4|[Ff]our|FOUR)(?:\\s+(?:[Dd]igits|DIGITS))?\\s*\\)?|(?:[Ee]nding|ENDING|[Ee]nds)(?:\\s+(?:in|with|IN))?)\\s*(?:(?:of|is)\\s+)?[:#=]?\\s*(?<v>\\d{4})\\b',
  },
  // `xxx-xx-6789`, `***-**-6789`: a masked SSN still shows its last four digits.
  { name: 'ssn-masked', category: 'ssn', lead: 'rare', triggers: ['xx-', 'XX-', '**-', '##-'], source: '(?<![\\w*#])(?:[Xx]{3}|\\*{3}|#{3})-?(?:[Xx]{2}|\\*{2}|#{2})-?\\d{4}\\b' },
  labelled('mrn', 'mrn', 'MRN|MR|[Mm]edical [Rr]ecord(?: [Nn]umber)?|[Cc]hart|[Pp]atient ID|[Pp]t ID|[Hh]ospital [Nn]umber|[Uu]nit [Nn]umber|[Rr]ecord'),
  labelled('account', 'account', '[Aa]ccount|ACCT|[Aa]cct|[Bb]illing|[Ii]nvoice|[Ee]ncounter|[Vv]isit|FIN|[Cc]ase|[Cc]laim|[Cc]redit [Cc]ard|[Cc]ard|IBAN'),
  labelled('health-plan', 'health-plan', '[Mm]ember|[Pp]olicy|[Pp]lan|[Ii]nsurance|[Ss]ubscriber|[Mm]edicaid|[Mm]edicare|[Gg]roup|[Bb]eneficiary|HICN|MBI'),
  labelled(
    'license',
    'license',
    "[Ll]icen[cs]e|[Ll]ic|DEA|NPI|[Cc]ertificate|[Cc]ert|[Dd]river'?s? [Ll]icen[cs]e|DL|[Pp]assport|[Rr]egistration|[Pp]ermit",
  ),
  {
    // A licence plate as people write it: a state code before it, a blank or a hyphen inside
    // (`License plate: MA 4XY-Z99`, `plate number 4XY Z99`); capitals and digits only, one digit at least.
    name: 'vehicle-plate',
    category: 'vehicle',
    hasValue: true,
    lead: 'word',
    source: '\\b(?:[Ll]icen[cs]e [Pp]late|LICEN[CS]E PLATE|[Pp]late|PLATE)(?:\\s*(?:[Nn]umber|NUMBER|[Nn]o|NO|#)\\.?)?\\s*[:#=]?\\s*(?<v>(?:[A-Z]{2}\\s+)?(?=[A-Z0-9 -]{0,12}\\d)[A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,4}){1,2})(?![A-Za-z0-9])',
  },
  labelled('vehicle', 'vehicle', 'VIN|[Pp]late|[Ll]icen[cs]e [Pp]late|[Tt]ag|[Vv]ehicle'),
  labelled('device', 'device', '[Ss]erial|S/N|SN|[Dd]evice|UDI|IMEI|[Mm]odel|[Ll]ot|[Ii]mplant'),
  { name: 'udi', category: 'device', lead: 'digit', source: '\\(01\\)\\d{14}(?:\\(\\d{2}\\)[^\\s(]+)*' },
  {
    name: 'phone',
    category: 'phone',
    lead: 'digit', source:
      '(?:\\+?1[\\s.-]?)?(?:\\(\\d{3}\\)\\s?|\\b\\d{3}[\\s.-])\\d{3}[\\s.-]\\d{4}(?!\\d)(?:\\s*(?:x|ext\\.?|extension)\\s*\\d{1,5})?|\\+\\d{1,3}[\\s.-]?(?:\\(0\\)[\\s.-]?)?\\(?\\d{1,4}\\)?(?:[\\s.-]?\\d{2,4}){2,4}\\b|\\(\\d{1,4}\\)\\s?\\d{2,4}[\\s.-]\\d{2,4}(?:[\\s.-]\\d{2,4})?\\b|\\b0\\d{3,4}\\s\\d{3}\\s\\d{3,4}\\b|\\b\\d{2}(?:[.-]\\d{2}){3,4}\\b',
  },
  {
    name: 'date-iso',
    category: 'date',
    lead: 'digit', source: '\\b(?:19|20)\\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b',
  },
  { name: 'date-ymd', category: 'date', lead: 'digit', source: '\\b(?:19|20)\\d{2}/(?:0?[1-9]|1[0-2])/(?:[12]\\d|3[01]|0?[1-9])\\b' },
  {
    name: 'date-numeric',
    category: 'date',
    lead: 'digit', source: '\\b(?:[12]\\d|3[01]|0?[1-9])[/.-](?:[12]\\d|3[01]|0?[1-9])[/.-](?:(?:19|20)\\d{2}|\\d{2})\\b(?![/.-]\\d)',
  },
  // Month and year as numbers (`03/2024`, `since 3/2024`): the month is a date element to remove.
  { name: 'date-month-year-numeric', category: 'date', lead: 'digit', source: '(?<![\\d/.-])(?:0?[1-9]|1[0-2])/(?:19|20)\\d{2}\\b(?![/.-]\\d)' },
  // Day, month and year run together (`10MAR2024`, `1Mar24`), as some systems print them.
  { name: 'date-compact', category: 'date', lead: 'digit', source: `\\b(?:[12]\\d|3[01]|0?[1-9])${MONTH_ABBREVIATION}(?:(?:19|20)\\d{2}|\\d{2})\\b` },
  { name: 'date-day-month', category: 'date', lead: 'digit', source: `\\b${DAY}(?:\\s+of)?[\\s-]+${MONTH}\\b\\.?(?:,?[\\s-]+${YEAR}\\b|-\\d{2}\\b)?` },
  { name: 'date-month-day', category: 'date', lead: 'word', source: `\\b${MONTH}\\b\\.?\\s+${DAY}\\b(?:,?\\s+${YEAR}\\b)?` },
  { name: 'date-month-year', category: 'date', lead: 'word', source: `\\b${MONTH}\\b\\.?,?\\s+(?:of\\s+)?${YEAR}\\b` },
  {
    name: 'date-month-day-short',
    category: 'date',
    lead: 'digit', source: '\\b(?:0?[1-9]|1[0-2])/(?:[12]\\d|3[01]|0?[1-9])\\b(?![/.]\\d)(?<=\\b(?:[Oo]n|[Ss]ince|[Ff]rom|[Uu]ntil|[Tt]ill|[Dd]ated|[Tt]hrough|DOS|DOB|[Aa]dmitted|[Dd]ischarged|[Ss]een|[Ll]abs?|LABS?|[Vv]isit|[Aa]fter|[Bb]efore|[Ss]tart(?:ed|ing)?|[Ll]ast|[Nn]ext|[Dd]ue|[Ss]ched(?:uled)?|[Ff]/[Uu]|[Ff]ollow-up)[: ]\\s*\\d{1,2}/\\d{1,2})',
  },
  { name: 'date-ordinal', category: 'date', lead: 'digit', source: `\\b(?:[12]\\d|3[01]|0?[1-9])${ORD}\\b(?<=\\b(?:the|The|on|On)\\s+\\d{1,2}${ORD})` },
  { name: 'date-season', category: 'date', lead: 'word', source: `\\b(?:[Ss]pring|[Ss]ummer|[Ff]all|[Aa]utumn|[Ww]inter)(?:\\s+of)?\\s+${YEAR}\\b` },
  { name: 'date-holiday', category: 'date', lead: 'word', source: "\\b(?:Christmas(?: Eve| Day)?|Thanksgiving|Easter|New Year'?s(?: Eve| Day)?|Independence Day|Halloween)\\b" },
  {
    name: 'age-over-89',
    category: 'date',
    // `96 YOF`: the years-old abbreviation may carry the sex letter.
    lead: 'digit', source: `\\b(?:9\\d|1[0-4]\\d)(?:(?=[\\s-]*${YEARS_OLD}[FMfm]?(?![A-Za-z]))|\\b(?<=\\b(?:[Aa]ge|[Aa]ged|AGE)[:\\s]+\\d{2,3}))`,
  },
  // `94F`, `101M`: the age and sex shorthand of a clinical history line.
  { name: 'age-over-89-sex', category: 'date', lead: 'digit', source: '\\b(?:9\\d|1[0-4]\\d)(?=[FM]\\b)' },
  // `096Y`, `96Y F`: an age in the DICOM Age String form (PS3.5 §6.2 AS: nnnY), as descriptors and
  // burned-in text write it. The number only; the unit stays.
  { name: 'age-over-89-as', category: 'date', lead: 'digit', source: '\\b0?(?:9\\d|1[0-4]\\d)(?=[Yy]\\b)' },
  {
    // §164.514(b)(2)(i)(C) ages over 89 told otherwise: `She is 104.`, `Mrs. Smith, 97, lives`,
    // `turned 93 today` (the number alone; under 90 it stays).
    name: 'age-over-89-stated',
    category: 'date',
    lead: 'digit',
    source:
      '\\b(?:9\\d|1[0-4]\\d)\\b(?:(?<=\\b(?:[Hh]e|[Ss]he|[Pp]atient|[Pp]t|[Tt]hey|[Ww]ho)(?:\\s+(?:is|was|turned|turns|is now|will be))\\s+\\d{2,3})(?=\\s*(?:[.,;!)]|$|\\s+(?:today|now|yesterday|and|but|with|who|when|this|last|next|on|in|at|after|before)\\b))|(?<=\\b(?:Mr|Mrs|Ms|Mx|Miss|Dr)\\.?\\s+[A-Z][A-Za-z\'’-]+,\\s*\\d{2,3})(?=\\s*,))',
  },
  {
    // The same spelled out: `ninety-two year old`, `one hundred and one years old`.
    name: 'age-over-89-words',
    category: 'date',
    lead: 'word',
    source: `\\b(?:${AGE_WORDS})(?=[\\s-]*${YEARS_OLD}(?![A-Za-z]))`,
  },
  {
    // A birth year in words of birth (`born in 1929`, `born 1931`, `year of birth 1930`): a year
    // alone is kept, but one of someone over 89 must go (§164.514(b)(2)(i)(C)), and a birth year
    // in text cannot be checked against the record: every one goes.
    name: 'birth-year',
    category: 'date',
    lead: 'digit',
    source: '\\b(?:1[89]|20)\\d{2}\\b(?<=\\b(?:[Bb]orn|BORN|[Bb]\\.|[Yy]ear of [Bb]irth|YOB|[Bb]irth [Yy]ear)(?:\\s+in)?[:\\s]\\s*\\d{4})',
  },
  {
    // After a site or a label any user name (`Twitter @hw`, `Instagram: hwhitfield`), without a
    // colon one that looks like one (`Skype harold.whitfield`, `TikTok hw_1931`; `Twitter is not` stays).
    name: 'social-handle',
    category: 'other-id',
    lead: 'word',
    hasValue: true,
    source: `${SOCIAL_LABEL}(?:\\s*[:=-]|\\s+is)?\\s*(?<v>@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?|(?<=[:=-]\\s*)[A-Za-z][A-Za-z0-9_.]{1,29}[A-Za-z0-9_]|(?=[A-Za-z0-9_]*(?:[\\d_]|\\.[A-Za-z0-9_]))[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_])(?![\\w@])`,
  },
  { name: 'unit', category: 'geographic', lead: 'word', source: '\\b(?:Apt|Apartment|Suite|Ste|Unit)\\.?\\s*#?\\s*\\d+[A-Za-z]?\\b' },
  { name: 'military-address', category: 'geographic', lead: 'word', source: '\\b(?:PSC|Unit|CMR)\\s+\\d{3,5},\\s*Box\\s+\\d{3,5}(?:\\s+(?:APO|FPO|DPO)\\s+(?:AA|AE|AP)\\s+\\d{5})?|\\b(?:APO|FPO|DPO)\\s+(?:AA|AE|AP)\\s+\\d{5}\\b' },
  {
    name: 'phone-generic',
    category: 'phone',
    lead: 'digit', source: '\\b(?=(?:\\d[ .-]?){7,15}\\b)\\d{2,5}(?:[ .-]\\d{2,8}){1,4}(?:x\\d{1,5})?\\b',
  },
  {
    // `lives on Via dei Fiorentini 1`, `Address: 12 rue de la Paix`: an address after its label.
    name: 'address-labelled',
    category: 'geographic',
    lead: 'word',
    hasValue: true,
    source: "\\b(?:[Ll]ives (?:at|on)|[Rr]esides (?:at|on)|[Aa]ddress(?: is)?:?|ADDRESS:?|[Ll]ocated at)[ \\t]+(?<v>(?:\\d{1,6}[A-Za-z]?[ \\t]+)?[A-ZÀ-Þ][A-Za-zÀ-ÿ'’.-]*(?:[ \\t]+(?:[A-ZÀ-Þ][A-Za-zÀ-ÿ'’.-]*|\\d{1,6}[A-Za-z]?|(?:della|dei|del|dos|den|der|van|von|the|de|di|da|do|la|le|of)(?![A-Za-zÀ-ÿ])|u\\.)){0,6})",
  },
  labelled('phone-labelled', 'phone', '[Pp]ager|PAGER|[Bb]eeper|[Ee]xt|[Ee]xtension|[Pp]h|[Tt]el|[Cc]ell|[Mm]obile|[Pp]hone'),
  { name: 'room', category: 'other-id', lead: 'word', hasValue: true, source: '\\b(?:[Rr]oom|ROOM|[Rr]m|RM|[Bb]ed|BED)\\.?\\s*#?\\s*(?<v>\\d{1,4}[A-Za-z]?)\\b' },
  { name: 'po-box', category: 'geographic', lead: 'word', source: '\\b[Pp]\\.?\\s?[Oo]\\.?\\s?[Bb]ox\\s+\\d+\\b' },
  {
    name: 'street',
    category: 'geographic',
    lead: 'digit', source: `\\b\\d{1,6}[A-Za-z]?(?:\\s+(?:[NSEW]\\.?|North|South|East|West))?(?:\\s+${CAPWORD}){1,4}\\s+(?:${STREET_SUFFIX})\\b\\.?(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Room|Rm|Bldg|#)\\.?\\s*#?\\s*[A-Za-z0-9-]+)?`,
  },
  { name: 'zip', category: 'geographic', lead: 'digit', source: `\\b\\d{5}(?:-\\d{4})?\\b(?<=\\b(?:${STATES})\\s+\\d{5}(?:-\\d{4})?|\\b[Zz][Ii][Pp](?:\\s?[Cc]ode)?[:#\\s]+\\d{5}(?:-\\d{4})?)` },
  {
    // `ZIP: 3520`, `Postcode 1012 AB`, `Postal code: K1A 0B1`: a labelled postal code of any country.
    name: 'postal-code',
    category: 'geographic',
    lead: 'rare',
    triggers: ['ZIP', 'Zip', 'zip', 'ostcode', 'ostal', 'ost code', 'OSTCODE', 'OSTAL'],
    hasValue: true,
    source: '\\b(?:ZIP|Zip|zip|[Pp]ost(?:al)?[ ]?[Cc]ode|POSTCODE|POSTAL CODE)(?: [Cc]ode)?[:#]?[ \\t]*(?<v>\\d{4,5}(?:-\\d{4})?(?: ?[A-Z]{2}\\b)?|[A-Z]\\d[A-Z] ?\\d[A-Z]\\d|[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2})(?![\\w-])',
  },
  // `H2X 3K8`: a Canadian postal code (Canada Post's letters; D, F, I, O, Q, U never occur) is a
  // place smaller than a province wherever it stands; a TNM stage of the same shape (`T4N2M1`) is not.
  { name: 'postal-code-ca', category: 'geographic', lead: 'word', source: '\\b(?!T\\dN ?\\dM\\d)[ABCEGHJ-NPRSTVXY]\\d[ABCEGHJ-NPRSTV-Z][ ]?\\d[ABCEGHJ-NPRSTV-Z]\\d\\b' },
  {
    name: 'hospital',
    category: 'geographic',
    lead: 'rare',
    triggers: ['Hospital', 'Medical', 'Health', 'Clinic', 'Infirmary', 'Memorial', 'Sanatorium', 'Hospice', 'Nursing', 'Rehabilitation', 'Urgent', 'Practice', 'Physicians', 'Surgery', 'Cancer', 'Institute'],
    source: `\\b${CAPWORD}(?:\\s+(?:${CAPWORD}|of|&|and|the|for)){0,5}\\s+(?:Hospital|Medical Center|Medical Centre|Health Center|Health Centre|Clinic|Infirmary|Health System|Healthcare|Health Care|Medical Group|Memorial|Sanatorium|Hospice|Nursing Home|Rehabilitation Center|Urgent Care|Family Practice|Medical Associates|Physicians|Health Services|Surgery Center|Cancer Center|Children's Hospital|Institute)\\b(?:\\s+(?:of|at)\\s+${CAPWORD}(?:\\s+${CAPWORD}){0,3})?`,
  },
  // `,3660170548`: a comma right before is a list separator, not a thousands group (that needs a digit before it).
  { name: 'long-number', category: 'other-id', lead: 'digit', source: '(?<![\\d.]|\\d,)\\b\\d{7,}\\b(?![.,]\\d)' },
];
