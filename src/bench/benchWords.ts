/**
 * Ordinary English words for synthetic queries and passages. Real words tokenize like real text
 * (mostly one or two tokens each), which random token ids or letters would not.
 */
export const benchWords: readonly string[] = `
the of and to in is was for on that with as by at from it this be are or an which has have not
but were their its also they one first new after time two been other more year years people
world city during state system between most under used many would only made known later when
three such part where both these through some then into over can about while since before well
water energy market health research school river history music science language company court
government network software model data search query result results document passage answer
question study method report policy service power light sound heat plant animal species cell
protein gene disease treatment patient doctor hospital drug effect risk cost price value growth
trade bank money tax law rule right group member team game season player match club league
film book song album story author writer series character scene stage theatre art museum
building bridge road railway station airport port ship car engine fuel oil gas coal steel iron
gold silver copper metal stone rock soil field farm crop food bread milk meat fish bird tree
forest mountain valley island coast ocean sea lake rain snow wind storm climate temperature
computer memory processor storage file server client request response protocol address
algorithm function variable value array string number integer error exception thread process
university student teacher course degree lecture exam paper journal article review theory
evidence analysis experiment sample measure estimate average increase decrease change level
population community family child parent mother father village region province country nation
army war battle peace treaty empire king queen president minister election vote party union
religion church temple culture tradition festival holiday ancient modern medieval century
early late large small high low long short old young major minor public private local national
international general special common different important similar several various main
`
    .split(/\s+/)
    .filter((word) => word.length > 0);
