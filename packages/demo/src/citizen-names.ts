// Name pools (Khmer script + Latin romanisation) from which synthetic citizens are drawn.

/** A name in Khmer script paired with its Latin (MRZ-ready, uppercase) romanisation. */
export interface NamePair {
  /** Khmer script, NFC. */
  km: string;
  /** Uppercase Latin, as printed on the document. */
  latin: string;
}

/** Name pools of one nationality. */
export interface NamePool {
  surnames: readonly NamePair[];
  male: readonly NamePair[];
  female: readonly NamePair[];
}

const n = (km: string, latin: string): NamePair => ({ km: km.normalize('NFC'), latin });

/** Common Khmer family names and given names. */
export const KHMER_NAMES: NamePool = {
  surnames: [
    n('សុខ', 'SOK'),
    n('ចាន់', 'CHAN'),
    n('ហេង', 'HENG'),
    n('គឹម', 'KIM'),
    n('លី', 'LY'),
    n('ជា', 'CHEA'),
    n('ម៉ៅ', 'MAO'),
    n('កែវ', 'KEO'),
    n('សេង', 'SENG'),
    n('ទេព', 'TEP'),
    n('អ៊ុក', 'OUK'),
    n('ព្រំ', 'PROM'),
    n('ឈឹម', 'CHHIM'),
    n('ញឹក', 'NHEK'),
    n('ស៊ុន', 'SUN'),
    n('យឹម', 'YIM'),
  ],
  male: [
    n('ដារា', 'DARA'),
    n('វិចិត្រ', 'VICHET'),
    n('ពិសិដ្ឋ', 'PISETH'),
    n('សំណាង', 'SAMNANG'),
    n('សុវណ្ណ', 'SOVANN'),
    n('វុទ្ធី', 'VUTHY'),
    n('រដ្ឋា', 'ROTHA'),
    n('សុខា', 'SOKHA'),
    n('បញ្ញា', 'PANHA'),
    n('កុសល', 'KOSAL'),
  ],
  female: [
    n('សុភា', 'SOPHEA'),
    n('ស្រីនាង', 'SREYNEANG'),
    n('បុប្ផា', 'BOPHA'),
    n('ធីតា', 'THIDA'),
    n('រតនា', 'RATANA'),
    n('ចាន់ថា', 'CHANTHA'),
    n('ស្រីពៅ', 'SREYPOV'),
    n('ដាលីន', 'DALIN'),
    n('ស្រីមុំ', 'SREYMOM'),
    n('លក្ខិណា', 'LEAKHENA'),
  ],
};

/**
 * Names of foreign nationals. The Khmer fields are approximate phonetic renderings, as a Cambodian clerk
 * would write them; the Latin form is authoritative.
 */
export const FOREIGN_NAMES: Readonly<Record<string, NamePool>> = {
  FRA: {
    surnames: [n('ម៉ាទីន', 'MARTIN'), n('ប៊ែណា', 'BERNARD'), n('ឌូបួ', 'DUBOIS')],
    male: [n('ព្យែរ', 'PIERRE'), n('លូកា', 'LUCAS')],
    female: [n('ក្លែរ', 'CLAIRE'), n('សូហ្វី', 'SOPHIE')],
  },
  JPN: {
    surnames: [n('តាណាកា', 'TANAKA'), n('សាតូ', 'SATO'), n('ស៊ូហ្ស៊ូគី', 'SUZUKI')],
    male: [n('កេនជី', 'KENJI'), n('ហ៊ីរ៉ូស៊ី', 'HIROSHI')],
    female: [n('យូគី', 'YUKI'), n('អៃកូ', 'AIKO')],
  },
  USA: {
    surnames: [n('ស្មីត', 'SMITH'), n('ចនសុន', 'JOHNSON'), n('ប្រោន', 'BROWN')],
    male: [n('ចន ម៉ៃឃើល', 'JOHN MICHAEL'), n('ដេវីដ', 'DAVID')],
    female: [n('អេមីលី', 'EMILY'), n('សារ៉ា', 'SARAH')],
  },
  THA: {
    surnames: [n('ស្រីសុខ', 'SRISUK'), n('បុណ្យមា', 'BOONMA')],
    male: [n('សមជ័យ', 'SOMCHAI'), n('អនន្ត', 'ANAN')],
    female: [n('មាលី', 'MALEE'), n('សុដា', 'SUDA')],
  },
};

/** ICAO codes of the foreign states synthetic passport holders come from. */
export const FOREIGN_STATES = Object.keys(FOREIGN_NAMES) as readonly string[];
