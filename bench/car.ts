/**
 * The document every figure writes: a small car registration in the shape of QLDB's tutorial
 * (~120 bytes as JSON). Ledger and sqlite baselines store the same fields.
 */
export interface Car {
  VIN: string;
  Owner: string;
  Make: string;
  Model: string;
  Year: number;
  Color: string;
}

const MAKES = ["Tesla", "Ford", "Toyota", "Volvo", "Honda"];
const COLORS = ["Red", "Blue", "Black", "White", "Silver"];

export function car(n: number): Car {
  return {
    VIN: `1N4AL11D75C${String(n).padStart(6, "0")}`,
    Owner: `Owner ${n % 997}`,
    Make: MAKES[n % MAKES.length],
    Model: `Model ${n % 7}`,
    Year: 2000 + (n % 25),
    Color: COLORS[n % COLORS.length],
  };
}
