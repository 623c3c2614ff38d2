/**
 * Common English nickname groups (formal name first). A known given name also matches its
 * nicknames and the other way round. Lower case.
 */
const GROUPS = `
william bill billy will willy liam|robert bob bobby rob robbie bert|richard rick ricky dick rich richie|
james jim jimmy jamie|john jack johnny jon|joseph joe joey|thomas tom tommy|charles charlie chuck chas|
christopher chris kit topher|daniel dan danny|matthew matt matty|anthony tony|michael mike mikey mick|
david dave davey|steven steve stevie|stephen steve|edward ed eddie ted teddy ned|andrew andy drew|
joshua josh|kenneth ken kenny|donald don donnie|ronald ron ronnie|timothy tim timmy|jeffrey jeff|
gregory greg|benjamin ben benny|samuel sam sammy|nicholas nick nicky|alexander alex al xander|
patrick pat paddy|peter pete|raymond ray|lawrence larry|gerald jerry gerry|henry hank harry|
frederick fred freddie|francis frank frankie|leonard leo len lenny|theodore ted theo|
zachary zach zack|jonathan jon jonny|nathaniel nate nat|nathan nate|jacob jake|
elizabeth liz lizzie beth betsy betty eliza libby|margaret maggie meg peggy marge margie|
katherine kate katie kathy kat kitty|catherine cathy cate kate|jennifer jen jenny|
patricia pat patty trish tricia|susan sue susie suzy|deborah deb debbie|rebecca becky becca|
barbara barb barbie|jessica jess jessie|victoria vicky tori|christine chris chrissy tina|
christina chris tina|kimberly kim|abigail abby|alexandra alex lexi sandra|samantha sam sammy|
dorothy dot dottie|judith judy|pamela pam|cynthia cindy|sandra sandy|theresa terry tess|
virginia ginny|josephine jo josie|eleanor ellie nell|helen nell|jacqueline jackie|
frances fran frannie|kathleen kathy kate|anne annie nan|ann annie|mary molly polly mae|
`;

/** Maps each name of a group to all the others. */
export function buildNicknameIndex(): ReadonlyMap<string, readonly string[]> {
  const index = new Map<string, string[]>();
  for (const group of GROUPS.split('|')) {
    const names = group.trim().split(/\s+/).filter((w) => w.length > 0);
    for (const name of names) {
      const others = index.get(name) ?? [];
      for (const other of names) if (other !== name && !others.includes(other)) others.push(other);
      index.set(name, others);
    }
  }
  return index;
}
