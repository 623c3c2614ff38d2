import type { DeidMethod, DeidProfile } from './deid-profile.ts';

const keep: DeidMethod = { kind: 'keep' };
const redact: DeidMethod = { kind: 'redact' };
const pseudonym: DeidMethod = { kind: 'pseudonym' };

/**
 * Safe Harbor, 45 CFR §164.514(b)(2): the 18 identifiers removed; dates keep only their year
 * (§164.514(b)(2)(i)(C)); ZIPs their first three digits or `000` (§164.514(b)(2)(i)(B));
 * states and countries are kept; ages over 89 become `90+`. Identifiers that data users need to
 * link records become keyed pseudonyms, a re-identification code in the sense of §164.514(c)
 * (not derivable without the key, which never leaves the covered entity).
 */
export const SAFE_HARBOR_PROFILE: DeidProfile = {
  id: 'safe-harbor',
  version: '1',
  description: 'HIPAA Safe Harbor, 45 CFR 164.514(b)(2): every date element but the year removed',
  basis: 'safe-harbor',
  kinds: {
    name: redact,
    geographic: redact,
    'geographic.zip': { kind: 'generalize', to: 'zip3' },
    'geographic.state': keep,
    'geographic.country': keep,
    date: { kind: 'generalize', to: 'year' },
    'date.age': { kind: 'generalize', to: 'age90' },
    phone: redact,
    fax: redact,
    email: redact,
    ssn: redact,
    mrn: pseudonym,
    'health-plan': redact,
    account: pseudonym,
    license: redact,
    vehicle: redact,
    device: redact,
    url: redact,
    ip: redact,
    biometric: redact,
    photo: redact,
    'other-id': pseudonym,
    text: { kind: 'text' },
    safe: keep,
  },
  rules: [],
  unknown: 'remove',
  over89: 'remove-birth-date',
};

/**
 * Safe Harbor except dates, which are shifted per patient (same shift for a patient everywhere,
 * so intervals survive). Shifted dates are not Safe Harbor: this profile is for use under an
 * Expert Determination, 45 CFR §164.514(b)(1), that covers date shifting.
 */
export const DATE_SHIFT_PROFILE: DeidProfile = {
  ...SAFE_HARBOR_PROFILE,
  id: 'date-shift',
  description: 'Safe Harbor but dates shifted per patient; needs an Expert Determination, 45 CFR 164.514(b)(1)',
  basis: 'expert-determination',
  kinds: { ...SAFE_HARBOR_PROFILE.kinds, date: { kind: 'dateShift' } },
};

/**
 * Limited data set, 45 CFR §164.514(e)(2): the 16 direct identifiers removed; dates, town or city,
 * state, ZIP code (and ages) kept. Only under a data use agreement, §164.514(e)(4).
 */
export const LIMITED_DATA_SET_PROFILE: DeidProfile = {
  ...SAFE_HARBOR_PROFILE,
  id: 'limited-data-set',
  description: 'Limited data set, 45 CFR 164.514(e): 16 direct identifiers removed; dates, city, state, ZIP kept; needs a data use agreement',
  basis: 'limited-data-set',
  kinds: {
    ...SAFE_HARBOR_PROFILE.kinds,
    geographic: redact,
    'geographic.city': keep,
    'geographic.county': keep,
    'geographic.zip': keep,
    date: keep,
    'date.age': keep,
  },
  over89: 'keep',
};

export const BUILTIN_PROFILES: Readonly<Record<string, DeidProfile>> = {
  'safe-harbor': SAFE_HARBOR_PROFILE,
  'date-shift': DATE_SHIFT_PROFILE,
  'limited-data-set': LIMITED_DATA_SET_PROFILE,
};
