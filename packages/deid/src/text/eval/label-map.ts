import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';

/**
 * Gold label → Safe Harbor category (45 CFR §164.514(b)(2)(i)), for i2b2 2014 (TYPE attributes),
 * MEDDOCAN and Presidio labels. `null`: annotated but not one of the 18 identifiers (professions,
 * countries, states, organizations, ages under 90): neutral, neither a miss nor a false positive.
 */
const LABELS: Readonly<Record<string, SafeHarborCategory | null>> = {
  // i2b2 2014 de-identification track
  PATIENT: 'name', DOCTOR: 'name', USERNAME: 'name', NAME: 'name',
  PROFESSION: null,
  ROOM: 'other-id', DEPARTMENT: null, HOSPITAL: 'geographic', ORGANIZATION: null, STREET: 'geographic', CITY: 'geographic',
  STATE: null, COUNTRY: null, ZIP: 'geographic', LOCATION_OTHER: 'geographic', LOCATION: 'geographic',
  AGE: null, DATE: 'date', PHONE: 'phone', FAX: 'fax', EMAIL: 'email', URL: 'url', IPADDR: 'ip',
  SSN: 'ssn', MEDICALRECORD: 'mrn', HEALTHPLAN: 'health-plan', ACCOUNT: 'account', LICENSE: 'license',
  VEHICLE: 'vehicle', DEVICE: 'device', BIOID: 'other-id', IDNUM: 'other-id', CONTACT: 'phone', ID: 'other-id',
  // MEDDOCAN
  NOMBRE_SUJETO_ASISTENCIA: 'name', NOMBRE_PERSONAL_SANITARIO: 'name', FAMILIARES_SUJETO_ASISTENCIA: 'name',
  FECHAS: 'date', EDAD_SUJETO_ASISTENCIA: null, CALLE: 'geographic', TERRITORIO: 'geographic', PAIS: null,
  ID_SUJETO_ASISTENCIA: 'mrn', ID_ASEGURAMIENTO: 'health-plan', ID_TITULACION_PERSONAL_SANITARIO: 'license',
  ID_CONTACTO_ASISTENCIAL: 'account', ID_EMPLEO_PERSONAL_SANITARIO: 'other-id', IDENTIF_VEHICULOS_NRSERIE_PLACAS: 'vehicle',
  IDENTIF_DISPOSITIVOS_NRSERIE: 'device', IDENTIF_BIOMETRICOS: 'biometric', NUMERO_IDENTIF: 'other-id', URL_WEB: 'url',
  DIRECCION_IP: 'ip', CORREO_ELECTRONICO: 'email', NUMERO_TELEFONO: 'phone', NUMERO_FAX: 'fax', HOSPITAL_: 'geographic',
  INSTITUCION: 'geographic', CENTRO_SALUD: 'geographic', PROFESION: null, SEXO_SUJETO_ASISTENCIA: null, OTROS_SUJETO_ASISTENCIA: null,
  // Presidio research
  PERSON: 'name', STREET_ADDRESS: 'geographic', ADDRESS: 'geographic', GPE: 'geographic', ZIP_CODE: 'geographic',
  CREDIT_CARD: 'account', IBAN_CODE: 'account', DATE_TIME: 'date', PHONE_NUMBER: 'phone', EMAIL_ADDRESS: 'email',
  US_SSN: 'ssn', IP_ADDRESS: 'ip', US_DRIVER_LICENSE: 'license', DOMAIN_NAME: 'url', TITLE: null, NRP: null,
  US_BANK_NUMBER: 'account', US_PASSPORT: 'license', MEDICAL_LICENSE: 'license', US_ITIN: 'other-id',
};

/**
 * The category of a gold label. `HOSPITAL` in MEDDOCAN and i2b2 both map to geographic. An age
 * (`AGE`, `EDAD_SUJETO_ASISTENCIA`) counts as a date element only when over 89 (§164.514(b)(2)(i)(C)).
 */
export function categoryOfLabel(label: string, text = ''): SafeHarborCategory | null {
  const key = label.toUpperCase();
  if (key === 'AGE' || key === 'EDAD_SUJETO_ASISTENCIA') {
    const n = Number(/\d+/.exec(text)?.[0] ?? Number.NaN);
    return n > 89 ? 'date' : null;
  }
  if (key === 'HOSPITAL') return 'geographic';
  return key in LABELS ? (LABELS[key] ?? null) : null;
}
