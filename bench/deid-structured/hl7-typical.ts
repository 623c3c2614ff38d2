// Synthesized "typical" HL7 v2 messages for `npm run bench -- deid-structured`: ADT^A01 and
// ORU^R01 of about 1 KB each (the corpus averages 6 KB: its CDC ELR messages carry long OBX
// runs). Every message has its own patient, so pseudonyms and date shifts are computed per
// message, as in a real feed. Invented values only; deterministic.

const FIRST = ['ANNA', 'JOSE', 'MEI', 'OMAR', 'LUCY', 'IVAN', 'SARA', 'TOM'];
const LAST = ['RIVERA', 'NGUYEN', 'SMITH', 'KOWALSKI', 'OKAFOR', 'BROWN', 'HANSEN', 'GARCIA'];
const STREET = ['MAPLE AVE', 'OAK ST', 'PINE RD', 'ELM CT'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function patient(i: number): { pid: string; pd1: string; nk1: string } {
  const first = FIRST[i % FIRST.length] ?? 'ANNA';
  const last = LAST[(i >> 3) % LAST.length] ?? 'SMITH';
  const mrn = String(100000 + i * 7);
  const dob = `19${pad(40 + (i % 55), 2)}${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}`;
  const phone = `(555)${pad(200 + (i % 700), 3)}-${pad(i % 10000, 4)}`;
  return {
    pid: `PID|1||${mrn}^^^HOSP^MR~${pad(i, 9)}^^^SSA^SS||${last}^${first}^Q^^^^L||${dob}|${i % 2 === 0 ? 'F' : 'M'}||2106-3^White^CDCREC|${String(10 + (i % 90))} ${STREET[i % STREET.length] ?? 'OAK ST'}^APT ${String(i % 40)}^SPRINGFIELD^IL^627${pad(i % 100, 2)}^USA^H||${phone}^PRN^PH^^1^555^${pad(i % 10000, 7)}|||S||ACC${pad(i, 8)}|${pad(i, 9)}`,
    pd1: `PD1|||SPRINGFIELD CLINIC^^1234|1234567890^WELBY^MARCUS^^^DR^^^NPI`,
    nk1: `NK1|1|${last}^PAT^^^^^L|SPO^Spouse^HL70063|${String(10 + (i % 90))} ${STREET[i % STREET.length] ?? 'OAK ST'}^^SPRINGFIELD^IL^627${pad(i % 100, 2)}|${phone}`,
  };
}

function adt(i: number): string {
  const p = patient(i);
  return [
    `MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB|GHH|2025${pad(1 + (i % 12), 2)}15103000||ADT^A01^ADT_A01|MSG${pad(i, 8)}|P|2.5.1`,
    `EVN|A01|2025${pad(1 + (i % 12), 2)}15103000`,
    p.pid,
    p.pd1,
    p.nk1,
    `PV1|1|I|2000^2012^01^GHH||||004777^ATTEND^AARON^A^^^DR|||SUR||||ADM|A0||||V${pad(i, 8)}|||||||||||||||||||||||||2025${pad(1 + (i % 12), 2)}15103000`,
    `AL1|1|DA|1605^PENICILLIN^RXNORM|SV|HIVES`,
    `DG1|1||I10^Essential hypertension^I10|||A`,
    `IN1|1|BCBS01^Blue Plan^HL70072|7890^BLUE CROSS|PO BOX 1000^^CHICAGO^IL^60601||(312)555-0100|GRP${pad(i % 500, 4)}|||||20250101|20251231|||${p.pid.split('|')[5] ?? ''}|SEL^Self^HL70063|${p.pid.split('|')[7] ?? ''}||||||||||||||||||MEM${pad(i, 9)}`,
  ].join('\r');
}

function oru(i: number): string {
  const p = patient(i);
  const day = `2025${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}`;
  return [
    `MSH|^~\\&|LAB|GOOD HEALTH HOSPITAL|EHR|GHH|${day}0830||ORU^R01^ORU_R01|LAB${pad(i, 8)}|P|2.5.1`,
    p.pid,
    `ORC|RE|ORD${pad(i, 7)}|FIL${pad(i, 7)}||CM||||${day}0800|||1234567890^WELBY^MARCUS^^^DR^^^NPI`,
    `OBR|1|ORD${pad(i, 7)}|FIL${pad(i, 7)}|24323-8^Comprehensive metabolic panel^LN|||${day}0745|||||||||1234567890^WELBY^MARCUS^^^DR^^^NPI||||||${day}0830|||F`,
    `PV1|1|O|LAB^^^GHH||||1234567890^WELBY^MARCUS^^^DR^^^NPI|||LAB|||||||||V${pad(i, 8)}`,
    `SPM|1|SP${pad(i, 7)}||119297000^Blood specimen^SCT|||||||||||||${day}0745|${day}0800`,
    `OBX|1|NM|2345-7^Glucose^LN||${String(70 + (i % 60))}|mg/dL|70-99|N|||F|||${day}0745`,
    `OBX|2|NM|2160-0^Creatinine^LN||1.${String(i % 10)}|mg/dL|0.6-1.3|N|||F|||${day}0745`,
    `OBX|3|NM|2951-2^Sodium^LN||${String(135 + (i % 8))}|mmol/L|135-145|N|||F|||${day}0745`,
    `OBX|4|TX|8251-1^Service comment^LN||Specimen received from ${p.pid.split('|')[5]?.split('^')[1] ?? ''} ${p.pid.split('|')[5]?.split('^')[0] ?? ''}; call ${p.pid.split('|')[13]?.split('^')[0] ?? ''} with results.||||||F`,
    `NTE|1|L|Fasting specimen.`,
  ].join('\r');
}

/** `count` messages, ADT^A01 and ORU^R01 alternating, one patient each, CR-separated segments. */
export function typicalHl7Messages(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${i % 2 === 0 ? adt(i) : oru(i)}\r`);
  return out;
}
