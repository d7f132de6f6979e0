/**
 * Seed table of Cambodia's official public holidays for 2025-2027, one entry per day off, so that
 * review deadlines skip them. This constant only seeds the database: administrators maintain the
 * holiday table there. Lunar holidays (Visak Bochea, Royal Ploughing Ceremony, Pchum Ben, Water
 * Festival) move every year and MUST be confirmed each year against the government sub-decree on
 * public holidays; the government may also add or move days off by later decision.
 */

export interface PublicHoliday {
  /** Local (Asia/Phnom_Penh) date, 'YYYY-MM-DD'. */
  readonly date: string;
  readonly nameKm: string;
  readonly nameEn: string;
}

const NAMES = {
  newYear: ['ទិវាចូលឆ្នាំសកល', "International New Year's Day"],
  victory: ['ទិវាជ័យជម្នះលើរបបប្រល័យពូជសាសន៍', 'Victory over Genocide Day'],
  women: ['ទិវាអន្តរជាតិនារី', "International Women's Day"],
  khmerNewYear1: ['ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ (ថ្ងៃទី១)', 'Khmer New Year (day 1)'],
  khmerNewYear2: ['ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ (ថ្ងៃទី២)', 'Khmer New Year (day 2)'],
  khmerNewYear3: ['ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ (ថ្ងៃទី៣)', 'Khmer New Year (day 3)'],
  labour: ['ទិវាពលកម្មអន្តរជាតិ', 'International Labour Day'],
  labourVisak: ['ទិវាពលកម្មអន្តរជាតិ និងពិធីបុណ្យវិសាខបូជា', 'International Labour Day and Visak Bochea Day'],
  visak: ['ពិធីបុណ្យវិសាខបូជា', 'Visak Bochea Day'],
  kingBirthday: ['ព្រះរាជពិធីបុណ្យចម្រើនព្រះជន្ម ព្រះមហាក្សត្រ នរោត្តម សីហមុនី', "King Norodom Sihamoni's Birthday"],
  ploughing: ['ព្រះរាជពិធីច្រត់ព្រះនង្គ័ល', 'Royal Ploughing Ceremony'],
  queenMother: [
    'ព្រះរាជពិធីបុណ្យចម្រើនព្រះជន្ម សម្តេចព្រះមហាក្សត្រី នរោត្តម មុនិនាថ សីហនុ',
    "Queen Mother Norodom Monineath Sihanouk's Birthday",
  ],
  constitution: ['ទិវាប្រកាសរដ្ឋធម្មនុញ្ញ', 'Constitution Day'],
  pchumBen1: ['ពិធីបុណ្យភ្ជុំបិណ្ឌ (ថ្ងៃទី១)', 'Pchum Ben (day 1)'],
  pchumBen2: ['ពិធីបុណ្យភ្ជុំបិណ្ឌ (ថ្ងៃទី២)', 'Pchum Ben (day 2)'],
  pchumBen3: ['ពិធីបុណ្យភ្ជុំបិណ្ឌ (ថ្ងៃទី៣)', 'Pchum Ben (day 3)'],
  kingFather: [
    'ទិវាប្រារព្ធពិធីគោរពព្រះវិញ្ញាណក្ខន្ធ ព្រះបរមរតនកោដ្ឋ នរោត្តម សីហនុ',
    'Commemoration Day of King Father Norodom Sihanouk',
  ],
  coronation: ['ព្រះរាជពិធីគ្រងព្រះបរមរាជសម្បត្តិ ព្រះមហាក្សត្រ នរោត្តម សីហមុនី', 'Coronation Day of King Norodom Sihamoni'],
  waterFestival1: ['ព្រះរាជពិធីបុណ្យអុំទូក បណ្តែតប្រទីប និងសំពះព្រះខែ (ថ្ងៃទី១)', 'Water Festival (day 1)'],
  waterFestival2: ['ព្រះរាជពិធីបុណ្យអុំទូក បណ្តែតប្រទីប និងសំពះព្រះខែ (ថ្ងៃទី២)', 'Water Festival (day 2)'],
  waterFestival3: ['ព្រះរាជពិធីបុណ្យអុំទូក បណ្តែតប្រទីប និងសំពះព្រះខែ (ថ្ងៃទី៣)', 'Water Festival (day 3)'],
  independence: ['ពិធីបុណ្យឯករាជ្យជាតិ', 'Independence Day'],
} as const satisfies Record<string, readonly [string, string]>;

type HolidayId = keyof typeof NAMES;

const h = (date: string, id: HolidayId): PublicHoliday =>
  Object.freeze({ date, nameKm: NAMES[id][0], nameEn: NAMES[id][1] });

/** Sorted by date. Lunar dates: see the file comment, confirm each year against the sub-decree. */
export const CAMBODIA_PUBLIC_HOLIDAYS: readonly PublicHoliday[] = Object.freeze([
  // 2025
  h('2025-01-01', 'newYear'),
  h('2025-01-07', 'victory'),
  h('2025-03-08', 'women'),
  h('2025-04-14', 'khmerNewYear1'),
  h('2025-04-15', 'khmerNewYear2'),
  h('2025-04-16', 'khmerNewYear3'),
  h('2025-05-01', 'labour'),
  h('2025-05-11', 'visak'), // lunar
  h('2025-05-14', 'kingBirthday'),
  h('2025-05-15', 'ploughing'), // lunar
  h('2025-06-18', 'queenMother'),
  h('2025-09-21', 'pchumBen1'), // lunar
  h('2025-09-22', 'pchumBen2'),
  h('2025-09-23', 'pchumBen3'),
  h('2025-09-24', 'constitution'),
  h('2025-10-15', 'kingFather'),
  h('2025-10-29', 'coronation'),
  h('2025-11-04', 'waterFestival1'), // lunar
  h('2025-11-05', 'waterFestival2'),
  h('2025-11-06', 'waterFestival3'),
  h('2025-11-09', 'independence'),
  // 2026
  h('2026-01-01', 'newYear'),
  h('2026-01-07', 'victory'),
  h('2026-03-08', 'women'),
  h('2026-04-14', 'khmerNewYear1'),
  h('2026-04-15', 'khmerNewYear2'),
  h('2026-04-16', 'khmerNewYear3'),
  h('2026-05-01', 'labourVisak'), // Visak Bochea (lunar) falls on Labour Day
  h('2026-05-05', 'ploughing'), // lunar
  h('2026-05-14', 'kingBirthday'),
  h('2026-06-18', 'queenMother'),
  h('2026-09-24', 'constitution'),
  h('2026-10-10', 'pchumBen1'), // lunar
  h('2026-10-11', 'pchumBen2'),
  h('2026-10-12', 'pchumBen3'),
  h('2026-10-15', 'kingFather'),
  h('2026-10-29', 'coronation'),
  h('2026-11-09', 'independence'),
  h('2026-11-23', 'waterFestival1'), // lunar
  h('2026-11-24', 'waterFestival2'),
  h('2026-11-25', 'waterFestival3'),
  // 2027
  h('2027-01-01', 'newYear'),
  h('2027-01-07', 'victory'),
  h('2027-03-08', 'women'),
  h('2027-04-14', 'khmerNewYear1'),
  h('2027-04-15', 'khmerNewYear2'),
  h('2027-04-16', 'khmerNewYear3'),
  h('2027-05-01', 'labour'),
  h('2027-05-14', 'kingBirthday'),
  h('2027-05-20', 'visak'), // lunar
  h('2027-05-24', 'ploughing'), // lunar
  h('2027-06-18', 'queenMother'),
  h('2027-09-24', 'constitution'),
  h('2027-09-29', 'pchumBen1'), // lunar
  h('2027-09-30', 'pchumBen2'),
  h('2027-10-01', 'pchumBen3'),
  h('2027-10-15', 'kingFather'),
  h('2027-10-29', 'coronation'),
  h('2027-11-09', 'independence'),
  h('2027-11-12', 'waterFestival1'), // lunar
  h('2027-11-13', 'waterFestival2'),
  h('2027-11-14', 'waterFestival3'),
]);

/** The set of holiday dates, as WorkingCalendar.holidays expects. */
export function holidaySet(entries: Iterable<{ readonly date: string }>): Set<string> {
  const dates = new Set<string>();
  for (const entry of entries) dates.add(entry.date);
  return dates;
}
