import { describe, expect, it } from 'vitest';
import { found } from '../test-engine.ts';

// One test per Safe Harbor category family, 45 CFR §164.514(b)(2)(i)(A)–(R), with hard cases.
describe('pattern detector', () => {
  it.each([
    ['Seen on 3/4/21 for follow-up.', 'date:3/4/21'],
    ['Admitted 03/04/2021.', 'date:03/04/2021'],
    ['Surgery on March 4th, 2021 went well.', 'date:March 4th, 2021'],
    ['Return on March 4th.', 'date:March 4th'],
    ['Biopsy 4-Mar-2021 benign.', 'date:4-Mar-2021'],
    ['Biopsy 4 Mar 2021 benign.', 'date:4 Mar 2021'],
    ['Visit dated 2021-03-04T10:00:00Z.', 'date:2021-03-04T10:00:00Z'],
    ['Seen on the 4th by cardiology.', 'date:4th'],
    ['Symptoms began in Spring 2020.', 'date:Spring 2020'],
    ['Onset Dec. 2019 per patient.', 'date:Dec. 2019'],
    ['A 92 year old man.', 'date:92'],
    ['Aged 101, lives alone.', 'date:101'],
    // §164.514(b)(2)(i)(C): ages over 89 in any wording, and birth years (one of someone over 89 must go).
    ['A 92 YEAR OLD MALE.', 'date:92'],
    ['A ninety-two year old woman.', 'date:ninety-two'],
    ['NINETY-FIVE YEAR OLD MALE', 'date:NINETY-FIVE'],
    ['She is one hundred and one years old.', 'date:one hundred and one'],
    ['She is 104.', 'date:104'],
    ['He was 95 when he died.', 'date:95'],
    ['Mrs. Smith, 97, lives alone.', 'date:97'],
    ['He turned 91 today.', 'date:91'],
    ['Born in 1929 in Ohio.', 'date:1929'],
    ['Year of birth: 1930.', 'date:1930'],
    ['Seen on 4/12 in clinic.', 'date:4/12'],
    ['Seen 03/2024 in clinic.', 'date:03/2024'],
    ['Stable since 3/2024.', 'date:3/2024'],
    ['Admitted 10MAR2024 to 4W.', 'date:10MAR2024'],
    ['Clinical history: 94F fall from standing.', 'date:94'],
    ['HPI: 101M with dyspnea.', 'date:101'],
    ['HPI: 96 YOF with fall.', 'date:96'],
    ['CT HEAD WO CONTRAST 96Y F', 'date:96'],
    ['Patient age 096Y.', 'date:096'],
  ])('dates: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('keeps ages under 90, years alone, doses and fractions', () => {
    expect(found('A 45 year old woman, diagnosed in 2019, takes 1/2 tablet of 25 mg daily.')).toEqual([]);
    expect(found('She is 45. The patient is 92 kg, HR 92, 99% adherent; ninety minutes later, 92 yards.')).toEqual([]);
    expect(found('HPI: 45F with cough; 67M with CP.')).toEqual([]);
    expect(found('CT HEAD 045Y F; 89 YOM; follow-up 1996Y.')).toEqual([]);
    expect(found('Growth plate 2 cm; plate ORIF with screws; at 12:30:45.')).toEqual([]);
    expect(found('Staged T4N2M1, then ypT2N0M0.')).toEqual([]);
  });

  it.each([
    ['Call 617-555-0100 today.', 'phone:617-555-0100'],
    ['Call (617) 555-0100 x12.', 'phone:(617) 555-0100 x12'],
    ['Tel +1 617 555 0100.', 'phone:+1 617 555 0100'],
    ['Call 345-899-3560x4587 now', 'phone:345-899-3560x4587'],
    ['Fax: 617.555.0199', 'fax:617.555.0199'],
    ['Mail jane.doe+x@mail.example.com now', 'email:jane.doe+x@mail.example.com'],
    ['SSN 123-45-6789 on file', 'ssn:123-45-6789'],
    ['SSN last 4: 6789 verified', 'ssn:6789'],
    ['SS# ending in 1234 verified', 'ssn:1234'],
    ['SSN (last four digits) 4321', 'ssn:4321'],
    ['SSN on file: xxx-xx-6789.', 'ssn:xxx-xx-6789'],
    ['SSN ***-**-1111 on the card', 'ssn:***-**-1111'],
    ['Social Security Number: 123456789', 'ssn:123456789'],
    ['MRN: 00123456', 'mrn:00123456'],
    ['Medical record number 12-345-678', 'mrn:12-345-678'],
    ['Account # A99812', 'account:A99812'],
    ['Member ID: XJH123456789', 'health-plan:XJH123456789'],
    ['Medicaid 99887766A', 'health-plan:99887766A'],
    ['DEA number BS1234563', 'license:BS1234563'],
    ["Driver's license S99952788", 'license:S99952788'],
    ['VIN 1HGCM82633A004352 on the car', 'vehicle:1HGCM82633A004352'],
    ['License plate: 7ABC123', 'vehicle:7ABC123'],
    ['License plate: MA 4XY-Z99 seen', 'vehicle:MA 4XY-Z99'],
    ['plate number 4XY Z99 on the report', 'vehicle:4XY Z99'],
    ['Laptop MAC 00:1B:44:11:3A:B7 logged', 'device:00:1B:44:11:3A:B7'],
    ['adapter 00-1b-44-11-3a-b7 logged', 'device:00-1b-44-11-3a-b7'],
    ['Pacemaker serial number PJN123456', 'device:PJN123456'],
    ['UDI (01)00643169007222(17)160128(21)BLC200461H', 'device:(01)00643169007222(17)160128(21)BLC200461H'],
    ['See https://portal.example.org/p?id=7.', 'url:https://portal.example.org/p?id=7'],
    ['Visit www.example.com/records for more', 'url:www.example.com/records'],
    ['From host 192.168.10.24 at night', 'ip:192.168.10.24'],
    ['From host 2001:db8::ff00:42:8329 at night', 'ip:2001:db8::ff00:42:8329'],
    ['Specimen 8841223190 sent', 'other-id:8841223190'],
  ])('identifiers: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it.each([
    ['Lives at 55 Fruit Street, Apt 4B in town.', 'geographic:55 Fruit Street, Apt 4B'],
    ['Lives at 1200 N. Main St. with wife.', 'geographic:1200 N. Main St.'],
    ['P.O. Box 1234 is the mailing address', 'geographic:P.O. Box 1234'],
    ['Timotea lives on Via dei Fiorentini 1 with her son.', 'geographic:Via dei Fiorentini 1'],
    ['Moved to Boston, MA 02114 last year.', 'geographic:Boston'],
    ['Moved to Boston, MA 02114 last year.', 'geographic:02114'],
    ['Transferred from Massachusetts General Hospital yesterday.', 'geographic:Massachusetts General Hospital'],
    ['Followed at Riverside Family Clinic monthly.', 'geographic:Riverside Family Clinic'],
    ['She grew up in Poughkeepsie and moved.', 'geographic:Poughkeepsie'],
    ['Mail to Montréal QC H2X 3K8 today.', 'geographic:H2X 3K8'],
    ['Postal K1A0B1 on file.', 'geographic:K1A0B1'],
  ])('places: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });
});

// Telephone numbers and other unique numbers, 45 CFR §164.514(b)(2)(i)(D), (R).
describe('pattern detector, number forms', () => {
  it('takes an international number with the (0) trunk prefix whole', () => {
    expect(found('Call +44 (0)20 7946 0321 after six.')).toContain('phone:+44 (0)20 7946 0321');
    expect(found('Clinic +49 (0)6 1234 5678 x')).toContain('phone:+49 (0)6 1234 5678');
  });

  it('takes a long number after a comma with no blank, but not a thousands-grouped amount', () => {
    expect(found('Office-Line,8841223190-Fax')).toContain('other-id:8841223190');
    expect(found('Platelets 1,2345678 is a typo')).not.toContain('other-id:2345678');
    expect(found('Paid 12,345,678 dollars')).toEqual([]);
  });
});

// Written-out e-mail addresses (F), geocodes (B) and user names (R): identifiers written so that
// a plain pattern misses them.
describe('pattern detector, written-out and less common identifiers', () => {
  it.each([
    ['Email jdoe at gmail dot com today.', 'email:jdoe at gmail dot com'],
    ['Reach her at j.doe[at]yahoo[dot]com.', 'email:j.doe[at]yahoo[dot]com'],
    ['Write to JDOE AT HOTMAIL DOT COM now', 'email:JDOE AT HOTMAIL DOT COM'],
    ['Send to mary_s (at) work-mail.org please.', 'email:mary_s (at) work-mail.org'],
    ['Daughter: kate at gmail.com, evenings.', 'email:kate at gmail.com'],
    ['Portal login jd1931 {at} mail.example.co.uk later', 'email:jd1931 {at} mail.example.co.uk'],
  ])('e-mail: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('does not take a place or a web site after "at" for an address', () => {
    expect(found('He arrived at 5 pm and was seen at the clinic.')).toEqual([]);
    expect(found('Guidance available at cdc.gov today.')).toEqual(['url:cdc.gov']);
  });

  it.each([
    ['Found at 42.2529, -71.0023 by EMS.', 'geographic:42.2529, -71.0023'],
    ['Scene 33.86882 S 151.20929 E reported.', 'geographic:33.86882 S 151.20929 E'],
    ['Lat/long: 42.25, -71.00 per EMS.', 'geographic:42.25, -71.00'],
    ['GPS 42.253 N, 71.002 W at the trailhead.', 'geographic:42.253 N, 71.002 W'],
    ['Latitude 42.2529; longitude -71.0023.', 'geographic:42.2529'],
    ['Pinned at 42°15\'10.4"N 71°00\'08.3"W near the river.', 'geographic:42°15\'10.4"N 71°00\'08.3"W'],
    ['Pinned at 42° 15′ N, then north.', 'geographic:42° 15′ N'],
  ])('geocode: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('does not read lab values, p-values or temperatures as coordinates', () => {
    expect(found('SG 1.015, pH 6.5; K 4.1, 3.9; p = 0.0012, 0.0034; T 98.6°F; lateral 2.35 cm.')).toEqual([]);
  });

  it.each([
    ['Twitter @haroldw1931, rarely.', 'other-id:@haroldw1931'],
    ['Her handle is @hw, she said.', 'other-id:@hw'],
    ['Instagram: hwhitfield is public.', 'other-id:hwhitfield'],
    ['Skype harold.whitfield on Sundays.', 'other-id:harold.whitfield'],
    ['Posted as @night_owl_77 online.', 'other-id:@night_owl_77'],
  ])('user name: %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it.each([
    ['Employer: Acme Tractor Works', 'name:Acme Tractor Works'],
    ['EMPLOYER: AT&T INC', 'name:AT&T INC'],
    ['Occupation: machinist at Acme Tractor Works.', 'name:Acme Tractor Works'],
    ['He works at Acme Tractor in town.', 'name:Acme Tractor'],
    ['Retired, formerly employed by General Dynamics.', 'name:General Dynamics'],
    ['She works as a night nurse at Saint Ursula Medical Center on weekends.', 'name:Saint Ursula Medical Center'],
    ['Works for the City of Boston.', 'name:the City of Boston'],
    ['I used to work for NATO as a clerk.', 'name:NATO'],
    ['Employee of Starbucks, part time.', 'name:Starbucks'],
    ['retired from Raytheon in 2001', 'name:Raytheon'],
  ])('employer (§164.514(b)(2)(i) "employers"): %s', (text, expected) => {
    expect(found(text)).toContain(expected);
  });

  it('takes no employer from an answer that names nobody or a lower-case place', () => {
    for (const text of ['Employer: Retired', 'Employer - self-employed', 'EMPLOYER: NONE', 'Works at home.', 'works for hours on end', 'a working diagnosis']) {
      expect(found(text).filter((s) => s.startsWith('name:')), text).toEqual([]);
    }
  });

  it('does not take "@" shorthand, e-mail addresses or plain words after a site name for user names', () => {
    expect(found('Lives @home, meds @ 10am, @baseline.')).toEqual([]);
    expect(found('Mail a.b@example.org now')).toEqual(['email:a.b@example.org']);
    for (const text of ['Uses Facebook daily; Twitter is not used.', 'Not on Twitter. Instagram is fun.', 'Handle with care.']) {
      expect(found(text).filter((s) => s.startsWith('other-id:'))).toEqual([]);
    }
  });
});

