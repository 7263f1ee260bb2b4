// Static data of the benchmark's four subgraphs (the gateways-benchmark shape: 6 users,
// 9 products, 11 reviews of lorem text), built once at start so resolvers only look things up.
const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt " +
  "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco " +
  "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in " +
  "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat " +
  "non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. ";

function text(offset, length) {
  const source = LOREM.repeat(Math.ceil((offset + length) / LOREM.length) + 1);
  return source.slice(offset, offset + length).trim();
}

export const USERS = [
  ["1", "Ada Lovelace", "urigo"],
  ["2", "Grace Hopper", "dotansimha"],
  ["3", "Alan Turing", "kamilkisiela"],
  ["4", "Edsger Dijkstra", "ardatan"],
  ["5", "Barbara Liskov", "gilgardosh"],
  ["6", "Donald Knuth", "laurin"],
].map(([id, name, username]) => ({ id, name, username, birthday: 1234567890 }));

export const PRODUCTS = [
  ["1", "Table", 899, 100, true],
  ["2", "Couch", 1299, 1000, false],
  ["3", "Glass", 15, 20, false],
  ["4", "Chair", 499, 100, false],
  ["5", "TV", 1299, 1000, true],
  ["6", "Lamp", 6999, 300, true],
  ["7", "Grill", 3999, 2000, true],
  ["8", "Fridge", 100000, 6000, false],
  ["9", "Sofa", 9999, 800, true],
].map(([upc, name, price, weight, inStock]) => ({ upc, name, price, weight, inStock }));

// [review id, product upc, body offset, body length]
export const REVIEWS = [
  ["1", "1", 0, 445],
  ["2", "1", 57, 290],
  ["3", "1", 120, 270],
  ["4", "1", 200, 143],
  ["5", "2", 0, 445],
  ["6", "2", 57, 290],
  ["7", "2", 120, 270],
  ["8", "2", 200, 143],
  ["9", "3", 200, 143],
  ["10", "4", 200, 143],
  ["11", "4", 10, 810],
].map(([id, upc, offset, length]) => ({ id, upc, body: text(offset, length) }));

export const USER_BY_ID = new Map(USERS.map((user) => [user.id, user]));
export const PRODUCT_BY_UPC = new Map(PRODUCTS.map((product) => [product.upc, product]));
export const REVIEW_BY_ID = new Map(REVIEWS.map((review) => [review.id, review]));
export const REVIEWS_BY_UPC = new Map(
  PRODUCTS.map((product) => [product.upc, REVIEWS.filter((review) => review.upc === product.upc)]),
);
// Every user's reviews are the first two, and every review's author is user 1 (as upstream).
export const USER_REVIEWS = REVIEWS.slice(0, 2);
export const AUTHOR = { id: "1", username: "urigo" };

export function shippingEstimate({ price, weight }) {
  if (price == null) return null;
  if (price > 1000) return 0;
  return weight == null ? null : Math.floor(weight / 2);
}
