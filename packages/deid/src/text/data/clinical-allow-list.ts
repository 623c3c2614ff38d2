/**
 * Clinical words that look like names or places but are not identifiers: eponyms (Parkinson,
 * Hodgkin, Crohn), drug and disease names, anatomy and common note vocabulary. A dictionary hit
 * (surname, first name, city) on one of these is dropped; a hit from context (a title, a known
 * identifier, a signature) is kept, so "Dr. Parkinson" is redacted. Lower-case, one word each.
 */
export const CLINICAL_ALLOW_WORDS: readonly string[] = `
addison adson alzheimer apgar argyll asperger babinski barrett bartholin bartter
behcet bence bethesda billroth blalock bouchard bowen broca
brudzinski buerger burkitt chagas charcot chiari colles conn coombs cori
crigler crohn cushing doppler dressler dubin duchenne dupuytren duroziez
ebstein edinger ehlers eisenmenger epstein erb ewing fallot fanconi felty foley
fournier friedreich gaucher glasgow glisson golgi goodpasture gram grey guillain
guyon hashimoto heberden heimlich henoch hirschsprung hodgkin holter horner
huntington hurler hutchinson jacksonian kaposi kawasaki kayser kegel kernig kernohan
kimmelstiel klinefelter koplik korsakoff krukenberg kussmaul lachman langerhans lasegue leber lewy
libman lyme mallory marfan mcburney mcmurray meckel meniere monteggia morgagni 
nissen osler paget pancoast parkinson perthes peyronie phalen pott prinzmetal purkinje
queckenstedt raynaud reye rinne romberg rotor roux schatzki scheuermann sezary
sheehan sjogren starling sturge takayasu tinel tourette
trendelenburg trousseau virchow waldenstrom wallenberg wegener wenckebach
wernicke whipple willebrand wilms wolff zenker zollinger
acetaminophen albuterol alprazolam amiodarone amlodipine amoxicillin apixaban aspirin atenolol
atorvastatin azithromycin baclofen bupropion buspirone captopril carvedilol cefazolin ceftriaxone
cephalexin cetirizine ciprofloxacin citalopram clonazepam clonidine clopidogrel codeine cyclobenzaprine
dexamethasone diazepam diclofenac digoxin diltiazem diphenhydramine docusate donepezil doxycycline
duloxetine enalapril enoxaparin epinephrine escitalopram esomeprazole famotidine fentanyl ferrous
fluconazole fluoxetine fluticasone furosemide gabapentin glipizide glyburide haloperidol heparin
hydralazine hydrochlorothiazide hydrocodone hydromorphone ibuprofen insulin ipratropium isosorbide
ketorolac labetalol lamotrigine lansoprazole levetiracetam levofloxacin levothyroxine lidocaine
lisinopril lorazepam losartan magnesium meloxicam metformin methadone methotrexate methylprednisolone
metoclopramide metoprolol metronidazole midazolam mirtazapine montelukast morphine naloxone naproxen
nifedipine nitrofurantoin nitroglycerin norepinephrine olanzapine omeprazole ondansetron oxycodone
pantoprazole paroxetine penicillin phenytoin potassium pravastatin prednisone pregabalin promethazine
propofol propranolol quetiapine ramipril risperidone rivaroxaban rosuvastatin senna sertraline
simvastatin spironolactone sucralfate sulfamethoxazole tamsulosin tiotropium tramadol trazodone
valsartan vancomycin venlafaxine verapamil warfarin zolpidem humulin epogen tylenol advil motrin
lipitor coumadin lasix xarelto eliquis plavix zoloft prozac xanax ativan valium norco percocet
abdomen acute admission admitted afebrile allergies allergy ambulance anemia anterior aorta appendix
artery assessment asthma atrial attending bilateral biopsy blood bowel brain breast cardiac cardiology
care chest chief chronic clinic colon complaint condition consult cough daily diabetes diagnosis
diet discharge disease disorder doctor edema emergency exam examination family fever finding follow
fracture gastric general head health heart hepatic history hospital illness imaging impression
infection injury intensive internal kidney labs left liver lung lungs medical medication medications
medicine mental neck negative neuro neurology normal note nurse nursing oncology oral pain patient
pediatric pelvis physical physician plan positive posterior present procedure procedures progress
pulmonary radiology renal respiratory review right room service severe social spine stable status
stroke surgery surgical symptoms therapy thyroid today transfer trauma treatment unit urgent urinary
vital vitals ward well 
monday tuesday wednesday thursday friday saturday sunday
american english british french german spanish italian japanese chinese korean vietnamese indian mexican
canadian african european asian hispanic latino latina caucasian christian catholic jewish muslim hindu
buddhist protestant baptist methodist irish scottish welsh russian polish greek arab arabic portuguese
brazilian cuban haitian filipino dutch swedish norwegian danish finnish turkish persian israeli egyptian
nigerian ethiopian somali pakistani bangladeshi thai cambodian laotian hmong creole cantonese mandarin
hebrew latin swahili tagalog jamaican puerto rican dominican salvadoran guatemalan honduran colombian
peruvian venezuelan ecuadorian ukrainian czech hungarian romanian bulgarian serbian croatian bosnian
albanian armenian iranian iraqi syrian lebanese afghan nepali tibetan mongolian indonesian malaysian
australian alaskan hawaiian islander medicare medicaid nonhispanic
fax phone tel cell mobile pager desk email office home work
na hgb hct plt bun cr alt ast inr ptt ldl hdl tsh wbc rbc mcv mch bnp ck alb phos lft ekg ecg cbc bmp cmp abg ua cxr mri gfr egfr a1c
aetna humana cigna anthem tricare unitedhealthcare unitedhealth kaiser wellcare molina centene
streptococcus staphylococcus escherichia klebsiella pseudomonas enterococcus candida clostridium
clostridioides haemophilus neisseria mycobacterium salmonella shigella helicobacter legionella listeria
`
.split(/\s+/)
.filter((w) => w.length > 0);
