/**
 * The words of the demo's reports: narratives as monitors write them, mostly in Arabic, some in
 * English, and how a source was reached. Invented from the kind of events the context report
 * describes (looted and burned homes, families fleeing, bread, water and power cut); no person is
 * ever named, and a source is described only by what it is (a resident, a relative, a local activist).
 */
import type { Lang } from '../../domain/lang.ts';
import type { SERVICES, SHELTER_KINDS, SOURCE_KINDS, STRUCTURE_KINDS } from '../../domain/report.ts';

export type Pick = <T>(items: readonly T[]) => T;

const AR_WEEKDAYS = ['الأحد', 'الاثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت'];
const EN_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "on Thursday morning" from a time: how people place an event, rather than by its date. */
function when(lang: Lang, at: number): string {
  const date = new Date(at);
  const day = date.getUTCDay();
  // Syria is three hours ahead of UTC.
  const hour = (date.getUTCHours() + 3) % 24;
  if (lang === 'ar') {
    const part = hour < 12 ? 'صباح' : hour < 18 ? 'ظهر' : 'مساء';
    return `${part} يوم ${AR_WEEKDAYS[day]}`;
  }
  const part = hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';
  return `on ${EN_WEEKDAYS[day]} ${part}`;
}

/** Arabic counted nouns: the noun's number follows the count (one, two, 3-10, 11 and more). */
interface ArNoun {
  one: string;
  two: string;
  few: string;
  many: string;
}
const AR = {
  family: { one: 'عائلة واحدة', two: 'عائلتان', few: 'عائلات', many: 'عائلة' },
  home: { one: 'منزل واحد', two: 'منزلان', few: 'منازل', many: 'منزلاً' },
  shop: { one: 'محل تجاري واحد', two: 'محلان تجاريان', few: 'محلات تجارية', many: 'محلاً تجارياً' },
  person: { one: 'شخص واحد', two: 'شخصان', few: 'أشخاص', many: 'شخصاً' },
  building: { one: 'مبنى واحد', two: 'مبنيان', few: 'مبانٍ', many: 'مبنى' },
} satisfies Record<string, ArNoun>;

function arCount(n: number | undefined, noun: ArNoun, unknown: string): string {
  if (n === undefined) return unknown;
  if (n === 1) return noun.one;
  if (n === 2) return noun.two;
  return `${n} ${n <= 10 ? noun.few : noun.many}`;
}

function enCount(n: number | undefined, one: string, many: string, unknown: string): string {
  if (n === undefined) return unknown;
  return `${n} ${n === 1 ? one : many}`;
}

type StructureKind = (typeof STRUCTURE_KINDS)[number];

export interface DamageFacts {
  place: string;
  structureKind: StructureKind;
  structures?: number;
  looted: boolean;
  burned: boolean;
  at: number;
}

export function damageNarrative(pick: Pick, lang: Lang, f: DamageFacts): string {
  const w = when(lang, f.at);
  if (lang === 'ar') {
    const noun = f.structureKind === 'shop' ? AR.shop : f.structureKind === 'home' ? AR.home : AR.building;
    const what = arCount(f.structures, noun, 'عدد غير معروف من المنازل');
    const who = pick(['أحد سكان القرية', 'شاهد عيان', 'أحد أفراد عائلة متضررة', 'ناشط محلي', 'جار للعائلات المتضررة']);
    // One building takes other agreement than several ("نهب منزل واحد ثم إحراقه"): a sentence of its own.
    if (f.structures === 1) {
      const done = f.burned && f.looted ? 'للنهب ثم الحرق' : f.burned ? 'للحرق' : 'للنهب دون أن يُحرق';
      return `أفاد ${who} بتعرض ${noun.one} في ${f.place} ${w} ${done}.`;
    }
    if (f.burned && f.looted) {
      return pick([
        `أفاد ${who} بأن مسلحين من خارج المنطقة دخلوا ${f.place} ${w} ونهبوا ${what} قبل إضرام النار فيها. لم يتمكن الأهالي من إطفاء الحرائق بسبب إطلاق النار المستمر.`,
        `${what} محترقة بالكامل في ${f.place} بعد سرقة الأثاث والمواشي والمصاغ. أصحابها نزحوا قبل ذلك بيوم ولم يعودوا حتى الآن.`,
        `شاهد السكان أعمدة الدخان تتصاعد من ${f.place} ${w}. تأكد نهب وحرق ${what}، والعدد الحقيقي قد يكون أكبر لأن الوصول إلى أطراف القرية غير ممكن.`,
      ]);
    }
    if (f.looted) {
      return pick([
        `تعرض ${what} في ${f.place} للنهب ${w} دون أن تُحرق. سُرقت الأجهزة الكهربائية والسيارات والمؤن، بحسب ${who}.`,
        `نهب مسلحون ${what} في ${f.place} وحمّلوا المسروقات في شاحنات صغيرة. الأبواب مخلوعة والمحتويات مبعثرة.`,
      ]);
    }
    return pick([
      `احتراق ${what} في ${f.place} ${w}. لا يُعرف إن كانت قد نُهبت قبل ذلك.`,
      `أفاد ${who} باحتراق ${what} في ${f.place}، ولا تزال آثار الحريق ظاهرة من الطريق العام.`,
    ]);
  }
  const noun = f.structureKind === 'shop' ? ['shop', 'shops'] : f.structureKind === 'home' ? ['home', 'homes'] : ['building', 'buildings'];
  const what = enCount(f.structures, noun[0]!, noun[1]!, 'an unknown number of homes');
  const who = pick(['A resident', 'An eyewitness', 'A relative of one of the families', 'A local activist']);
  if (f.structures === 1) {
    const done = f.burned && f.looted ? 'looted and then burned' : f.burned ? 'burned' : 'looted but not burned';
    return `${who} said one ${noun[0]} in ${f.place} was ${done} ${w}.`;
  }
  if (f.burned && f.looted) {
    return capitalised(
      pick([
        `${who} said armed men who were not from the area went from house to house in ${f.place} ${w}, looted ${what} and set them on fire. Neighbours could not put out the fires because of continued shooting.`,
        `${what} burned out in ${f.place} after furniture, livestock and jewellery were taken. The owners had fled the day before and have not come back.`,
        `Smoke seen over ${f.place} ${w}. At least ${what} confirmed looted and burned; the real number may be higher as the edge of the village cannot be reached.`,
      ]),
    );
  }
  if (f.looted)
    return capitalised(
      `${what} in ${f.place} looted ${w} but not burned: appliances, cars and food stores taken, according to a neighbour.`,
    );
  return capitalised(`${what} burned in ${f.place} ${w}. Not known whether they were looted first.`);
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

type ShelterKind = (typeof SHELTER_KINDS)[number];

export interface DisplacementFacts {
  origin: string;
  destination: string;
  shelter: ShelterKind;
  households?: number;
  individuals?: number;
}

export function displacementNarrative(pick: Pick, lang: Lang, f: DisplacementFacts): string {
  if (lang === 'ar') {
    const families = arCount(f.households, AR.family, 'عائلات لم يُعرف عددها');
    const people = f.individuals === undefined ? '' : ` (${arCount(f.individuals, AR.person, '')})`;
    if (f.shelter === 'military_base') {
      return pick([
        `لجأت ${families}${people} من ${f.origin} إلى ${f.destination} هرباً من القتل. يقولون إنهم لم يجدوا الحماية التي طلبوها، وينامون في العراء قرب البوابة دون طعام كافٍ.`,
        `وصلت ${families} من ${f.origin} إلى ${f.destination} سيراً على الأقدام ليلاً. بينهم أطفال ومسنون، ولا يوجد توزيع منظم للغذاء أو الماء.`,
      ]);
    }
    if (f.shelter === 'open_air') {
      return `خرجت ${families}${people} من ${f.origin} إلى ${f.destination} خوفاً من المداهمات، ويبيتون بين الأشجار دون أغطية كافية.`;
    }
    if (f.shelter === 'public_building' || f.shelter === 'collective_centre') {
      return `مدرسة في ${f.destination} تؤوي ${families}${people} نزحت من ${f.origin}. المكان مكتظ ولا توجد مياه كافية ولا دورات مياه صالحة.`;
    }
    return pick([
      `نزحت ${families}${people} من ${f.origin} إلى ${f.destination} خوفاً من عمليات القتل والحرق. معظمهم من النساء والأطفال وكبار السن، وخرجوا دون أي أمتعة.`,
      `غادرت ${families} ${f.origin} بعد احتراق منازلها، وتقيم حالياً لدى أقارب في ${f.destination}. لا تزال عمليات التهجير مستمرة في القرى المجاورة.`,
    ]);
  }
  const families = enCount(f.households, 'family', 'families', 'Several families');
  const people = f.individuals === undefined ? '' : ` (${enCount(f.individuals, 'person', 'people', '')})`;
  if (f.shelter === 'military_base') {
    return `${families}${people} from ${f.origin} took shelter ${f.destination} to escape the killing. They say they did not find the protection they asked for and are sleeping in the open near the gate.`;
  }
  if (f.shelter === 'public_building' || f.shelter === 'collective_centre') {
    return `A school in ${f.destination} is hosting ${families}${people} displaced from ${f.origin}. Overcrowded, not enough water.`;
  }
  return `${families}${people} from ${f.origin} fled to ${f.destination} fearing killings and house burnings. Mostly women, children and elderly people; they left with nothing.`;
}

type Service = (typeof SERVICES)[number];

export interface AccessCutFacts {
  place: string;
  service: Service;
  /** Still cut when the monitor wrote: no word of it coming back. */
  ongoing: boolean;
  partial: boolean;
  since: number;
}

export function accessCutNarrative(pick: Pick, lang: Lang, f: AccessCutFacts): string {
  const since = when(lang, f.since);
  if (lang === 'ar') {
    const what = {
      bread: `الخبز مقطوع عن ${f.place} منذ ${since}. الفرن الوحيد مغلق ولم تصل مادة الطحين، والأهالي يعتمدون على ما تبقى لديهم.`,
      water: `انقطاع مياه الشرب عن ${f.place} منذ ${since}؛ محطة الضخ متوقفة ولا يستطيع العمال الوصول إليها.`,
      electricity: `الكهرباء مقطوعة ${f.partial ? 'معظم ساعات اليوم' : 'بالكامل'} عن ${f.place} منذ ${since}، ما أوقف مضخات المياه وأفران الخبز أيضاً.`,
      fuel: `لا يصل الوقود إلى ${f.place} منذ ${since}، والمولدات الخاصة متوقفة.`,
      health: `المستوصف في ${f.place} مغلق منذ ${since} ولا يوجد طبيب.`,
      telecoms: `شبكة الاتصالات مقطوعة عن ${f.place} منذ ${since}، ويصعب التواصل مع الأهالي.`,
    }[f.service];
    const tail = f.ongoing
      ? pick([' الانقطاع مستمر حتى لحظة كتابة التقرير.', ' لا أحد يعرف متى ستعود الخدمة.', ''])
      : pick([' عادت الخدمة بعد ثلاثة أيام من الانقطاع.', ' عادت الخدمة جزئياً بعد ثلاثة أيام.']);
    return what + tail;
  }
  const what = {
    bread: `Bread has not reached ${f.place} since ${since}; the only bakery is closed and no flour arrived.`,
    water: `No drinking water in ${f.place} since ${since}: the pumping station stopped and workers cannot reach it.`,
    electricity: `Electricity ${f.partial ? 'off most of the day' : 'completely cut'} in ${f.place} since ${since}, which also stopped water pumps and bakeries.`,
    fuel: `No fuel reaching ${f.place} since ${since}; private generators have stopped.`,
    health: `The clinic in ${f.place} has been closed since ${since}; no doctor.`,
    telecoms: `Phone network down in ${f.place} since ${since}; families are hard to reach.`,
  }[f.service];
  return what + (f.ongoing ? ' Still cut at the time of writing.' : ' Service came back after three days.');
}

type SourceKind = (typeof SOURCE_KINDS)[number];

/** How the monitor reached the source, never who the source is. */
export function sourceDetail(pick: Pick, lang: Lang, kind: SourceKind): string {
  const ar: Record<SourceKind, readonly string[]> = {
    eyewitness: ['اتصال هاتفي مع أحد السكان شاهد الحادثة', 'مقابلة مع شاهد عيان في مكان الإيواء'],
    victim: ['مقابلة مع أحد أفراد العائلة المتضررة', 'رسالة صوتية من أحد المتضررين'],
    secondary: ['نقلاً عن أقارب يقيمون في المدينة', 'نقلاً عن أحد العاملين في الإغاثة المحلية'],
    open_source: ['صور ومقاطع منشورة على مجموعة محلية، تمت مطابقة المكان', 'منشور على صفحة محلية، لم يتم التحقق منه بعد'],
  };
  const en: Record<SourceKind, readonly string[]> = {
    eyewitness: ['Phone call with a resident who saw it', 'Interview with an eyewitness at the shelter'],
    victim: ['Interview with a member of the affected family', 'Voice message from one of the people affected'],
    secondary: ['Relatives living in the city', 'A local relief volunteer'],
    open_source: ['Photos posted in a local group; location matched', 'Post on a local page, not yet checked'],
  };
  return pick((lang === 'ar' ? ar : en)[kind]);
}

/** A sentence a monitor adds when there is more to say: how the account was checked, what comes next. */
export function followUp(pick: Pick, lang: Lang): string {
  return pick(
    lang === 'ar'
      ? [
          'لم يتمكن الراصد من زيارة المكان بنفسه بسبب انتشار الحواجز على الطرق، وتمت مطابقة الرواية مع مصدر ثانٍ من القرية نفسها.',
          'يخشى الأهالي العودة إلى منازلهم، ويطالبون بممر آمن لإخراج من تبقى من كبار السن والمرضى.',
          'سيتابع الراصد الوضع خلال الأيام القادمة ويحدّث التقرير عند توفر معلومات جديدة عن الأعداد.',
          'الاتصالات ضعيفة في المنطقة، ولذلك تأخر إرسال التقرير عدة ساعات بعد جمع المعلومات.',
        ]
      : [
          'The monitor could not reach the place because of checkpoints on the roads; the account was matched with a second source from the same village.',
          'Residents are afraid to go back and ask for safe passage for the elderly and sick who stayed behind.',
          'The monitor will follow up in the coming days and update the report when the numbers are clearer.',
        ],
  );
}
